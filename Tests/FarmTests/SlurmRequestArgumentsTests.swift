import Farm
import Testing

@Suite("sbatch request arguments")
struct SlurmRequestArgumentsTests {
    @Test("a full request becomes exactly these sbatch arguments, script last")
    func fullRequest() throws {
        let request = SbatchRequest(
            scriptPath: "run/array.sh", jobName: "calfarm-r1", comment: "calfarm:token=t1",
            array: "0-15%4",
            dependencies: [SlurmDependency(.afterOK, [SlurmJobID(job: 10), SlurmJobID(job: 11, arrayTask: 3)]),
                           SlurmDependency(.afterAny, [SlurmJobID(job: 12)])],
            killOnInvalidDependency: true, timeLimit: "1:00:00", partition: "debug",
            account: "exfel", qos: "normal", memory: "4G", cpusPerTask: 2,
            outputPath: "logs/%A_%a.out", errorPath: "logs/%A_%a.err", workingDirectory: "run",
            extraArguments: ["--nice=10"])
        #expect(try request.arguments() == [
            "--parsable", "--job-name=calfarm-r1", "--comment=calfarm:token=t1", "--array=0-15%4",
            "--dependency=afterok:10:11_3,afterany:12", "--kill-on-invalid-dep=yes",
            "--time=1:00:00", "--partition=debug", "--account=exfel", "--qos=normal", "--mem=4G",
            "--cpus-per-task=2", "--output=logs/%A_%a.out", "--error=logs/%A_%a.err",
            "--chdir=run", "--nice=10", "run/array.sh",
        ])
    }

    @Test("a minimal request only names the job")
    func minimalRequest() throws {
        #expect(try SbatchRequest(scriptPath: "a.sh", jobName: "j").arguments()
                == ["--parsable", "--job-name=j", "a.sh"])
    }

    @Test("array specs SLURM accepts pass; malformed ones are refused before submitting",
          arguments: [("0-15%4", true), ("1,3,5-7", true), ("0-1000", true), ("0-10:2%3", true),
                      ("7", true), ("", false), ("5-3", false), ("0-15%", false), ("0-15%0", false),
                      ("a-b", false), ("1,,2", false), ("-1", false)])
    func arraySpecs(spec: String, valid: Bool) {
        let request = SbatchRequest(scriptPath: "a.sh", jobName: "j", array: spec)
        if valid {
            #expect(throws: Never.self) { try request.arguments() }
        } else {
            #expect(throws: SlurmError.self) { try request.arguments() }
        }
    }

    @Test("a dependency clause without parents is refused: SLURM would burn a job id on it")
    func emptyDependency() {
        let request = SbatchRequest(scriptPath: "a.sh", jobName: "j",
                                    dependencies: [SlurmDependency(.afterOK, [])])
        #expect(throws: SlurmError.invalidRequest(field: "dependency", value: "afterok",
                                                  reason: "names no parent job")) {
            try request.arguments()
        }
    }

    @Test("an empty job name or a multi-line one is refused")
    func badJobNames() {
        #expect(throws: SlurmError.self) { try SbatchRequest(scriptPath: "a.sh", jobName: "").arguments() }
        #expect(throws: SlurmError.self) { try SbatchRequest(scriptPath: "a.sh", jobName: "a\nb").arguments() }
    }
}
