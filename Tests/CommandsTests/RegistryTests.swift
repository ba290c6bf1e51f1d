import Farm
import FarmContract
import Testing
@testable import WorkerCommands

/// The worker's registry and the controller's plans agree: a request the controller accepts is
/// one the worker runs completely, and the worker has no handler the controller never plans.
@Suite("worker registry against the controller's plans")
struct RegistryTests {
    @Test("for every facility × measurement, the worker implements every planned step or none")
    func allOrNothing() throws {
        let capabilities = Set(StepDispatch.capabilities)
        var complete: [String] = []
        for facility in Facility.allCases {
            for measurement in FarmContract.Measurement.allCases {
                let request = PlanRequest(facility: facility, measurement: measurement, inputDir: "/in", outputDir: "/out",
                                          runs: [1], configuration: .defaults)
                // A measurement the facility does not take (XFEL drscs) is refused by the controller.
                guard let steps = try? request.plannedSteps() else { continue }
                let implemented = steps.filter {
                    capabilities.contains(.init(facility: facility, measurement: measurement, step: $0))
                }
                #expect(implemented.isEmpty || implemented == steps, "\(facility) \(measurement): \(implemented) of \(steps)")
                if implemented == steps { complete.append("\(facility.rawValue) \(measurement.rawValue)") }
            }
        }
        #expect(complete == ["xfel dark", "xfel xray", "xfel drspc", "cfel dark", "cfel xray", "cfel drspc", "cfel drscs"])
        #expect(throws: PlanError.self) {
            try PlanRequest(facility: .xfel, measurement: .drscs, inputDir: "/in", outputDir: "/out", configuration: .defaults).plannedSteps()
        }
        // No handler for a step the controller does not plan.
        for capability in capabilities {
            let request = PlanRequest(facility: capability.facility, measurement: capability.measurement, inputDir: "/in",
                                      outputDir: "/out", runs: [1], configuration: .defaults)
            #expect(try request.plannedSteps().contains(capability.step), "\(capability)")
        }
    }

    @Test("a spec outside the registry is refused with the combination named")
    func unknownCombination() {
        let spec = JobSpec(request: "r", job: "process.ch00.a01", step: .process, measurement: .drscs, facility: .xfel,
                           inputDir: "/in", outputDir: "/out", runs: [1], channels: [0], detectorString: "", resultPath: "/r.json")
        #expect(throws: WorkerError.self) { try StepDispatch.run(spec) }
        let text = (try? StepDispatch.run(spec)).map { _ in "" } ?? String(describing: Result { try StepDispatch.run(spec) })
        #expect(text.contains("process for xfel drscs"), "\(text)")
    }
}
