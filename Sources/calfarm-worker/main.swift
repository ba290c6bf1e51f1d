import WorkerCommands
WorkerCommand.main()
