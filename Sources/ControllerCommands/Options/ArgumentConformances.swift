import ArgumentParser
import Farm
import FarmContract
import Simulator

// The controller's vocabulary enums, typed straight from the command line; their raw values
// are the words users type (`--type dark`, `--run-type gather`, `--executor local`, `--facility xfel`).
extension FarmContract.Measurement: ExpressibleByArgument {}
extension RunType: ExpressibleByArgument {}
extension ExecutorKind: ExpressibleByArgument {}
extension Facility: ExpressibleByArgument {}
extension XFELIndexPadding: ExpressibleByArgument {}
