import ControllerCommands
CalFarmCommand.main()
