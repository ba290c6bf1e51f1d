import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Script rendering")
struct RenderTests {
    /// The repository root, found from this file (symlinks resolved).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Compares `text` with `Snapshots/<name>` byte for byte; `RECORD_SNAPSHOTS=1` rewrites it.
    private func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.repositoryRoot.appendingPathComponent("Tests/FarmTests/Snapshots/\(name)")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        let recorded = try #require(try? Data(contentsOf: url), "no snapshot \(name); run with RECORD_SNAPSHOTS=1",
                                    sourceLocation: sourceLocation)
        #expect(Data(text.utf8) == recorded, "script differs from Snapshots/\(name)", sourceLocation: sourceLocation)
    }

    private func checkSyntax(_ script: String) throws {
        let dir = try TemporaryDirectory("render-syntax")
        let path = dir.file("script.sbatch")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runBash("bash -n " + ShellQuoting.quote(path))
        #expect(result.status == 0, "bash -n rejected the script")
    }

    private static let gatherScript = ArrayScript(
        request: "20261124-ab12", group: "gather.r0819", jobName: "calfarm-20261124-ab12",
        comment: "calfarm:20261124-ab12:gather.r0819:1", partition: "upex", account: nil, qos: nil,
        resources: StepResources(timeLimit: "12:00:00", memory: "8G", cpus: 2, arrayThrottle: 8), arraySpec: "1-96",
        logDirectory: "/scratch/calfarm/requests/20261124-ab12/logs",
        tasksFile: "/scratch/calfarm/requests/20261124-ab12/specs/gather.r0819.jsonl", workerPath: "/opt/calfarm/bin/calfarm-worker",
        extraSbatch: ["--constraint=\"EPYC&7402\"", "--nodes=1"], environment: ["module load hdf5/1.14", "export OMP_NUM_THREADS=1"])

    @Test("a gather array script matches its golden snapshot and passes bash -n")
    func gatherSnapshot() throws {
        let script = try ScriptRenderer().render(Self.gatherScript)
        try assertSnapshot(script, named: "gather-array.sbatch")
        try checkSyntax(script)
        #expect(script.hasPrefix("#!/bin/bash\n"))
        #expect(script.contains("#SBATCH --array=1-96%8\n"))
        #expect(script.contains("#SBATCH --time=12:00:00\n"))
        #expect(script.contains("#SBATCH --kill-on-invalid-dep=yes\n"))
        #expect(script.contains("#SBATCH --constraint=\"EPYC&7402\"\n"))  // no HTML escaping
        #expect(!script.contains("&amp;") && !script.contains("&quot;"))
        #expect(!script.contains("--mail"))
        #expect(!script.contains("--dependency"))
    }

    @Test("the request's mail carrier alone gets mail lines; nasty paths stay quoted")
    func mailCarrierSnapshot() throws {
        var script = Self.gatherScript
        script.group = "join"
        script.partition = nil
        script.account = "exfel-calib"
        script.qos = "high prio"
        script.resources = StepResources(timeLimit: "00:05:00")
        script.arraySpec = "1-1"
        script.logDirectory = "/scratch/my runs/100% \"done\""
        script.tasksFile = "/scratch/my runs/it's $HOME/join.jsonl"
        script.workerPath = "/opt/cal farm/bin/calfarm-worker"
        script.mail = .init(type: "END,FAIL", user: "calib@example.org")
        script.extraSbatch = []
        script.environment = ["echo \"<setup & go>\""]
        let text = try ScriptRenderer().render(script)
        try assertSnapshot(text, named: "join-mail-carrier.sbatch")
        try checkSyntax(text)
        #expect(text.contains("#SBATCH --mail-type=END,FAIL\n#SBATCH --mail-user=calib@example.org\n"))
        #expect(text.contains("#SBATCH --output=\"/scratch/my runs/100%% \\\"done\\\"/join_%A_%a.log\"\n"))
        #expect(text.contains("specs='/scratch/my runs/it'\\''s $HOME/join.jsonl'\n"))
        #expect(text.contains("echo \"<setup & go>\"\n"))
        #expect(!text.contains("--partition"))
    }

    @Test("a script built from an array group and the configuration uses its SLURM settings")
    func scriptFromGroup() throws {
        let configuration = try Configuration.defaults.applying(overrides: [
            "general.partition=debug", "general.mail_user=me@example.org", "general.worker=/w/calfarm-worker",
            "process.array_throttle=4", "process.time_limit=2:00:00",
        ])
        let request = PlanRequest(measurement: .dark, inputDir: "in", outputDir: "out", runs: [1, 2, 3], channels: [3],
                                  configuration: configuration)
        let graph = try Planner.expand(request, inventory: PlannerFixture.inventory(runs: [1, 2, 3], channels: [3], sequences: 1))
        let group = try #require(graph.arrayGroups().first { $0.name == "process.ch03" })
        let plain = ArrayScript(group: group, configuration: configuration, requestID: "r1", token: "tok-1",
                                logDirectory: "/l", specDirectory: "/s")
        #expect(plain.arraySpec == "1-16" && plain.tasksFile == "/s/process.ch03.jsonl" && plain.mail == nil)
        #expect(plain.jobName == "calfarm-r1" && plain.comment == "tok-1" && plain.workerPath == "/w/calfarm-worker")
        let text = try ScriptRenderer(configuration: configuration).render(plain)
        #expect(text.contains("#SBATCH --array=1-16%4\n") && text.contains("#SBATCH --time=2:00:00\n"))
        #expect(text.contains("#SBATCH --partition=debug\n"))
        #expect(!text.contains("--mail-user"))
        let carrier = ArrayScript(group: group, configuration: configuration, requestID: "r1", token: "tok-1",
                                  logDirectory: "/l", specDirectory: "/s", isMailCarrier: true)
        #expect(carrier.mail == .init(type: "END,FAIL", user: "me@example.org"))
    }

    @Test("the rendered script runs the worker on line N − 1 + offset of the array's spec file")
    func scriptRunsTheRightSpec() throws {
        let dir = try TemporaryDirectory("render-run")
        try FileManager.default.createDirectory(atPath: dir.file("odd dir $x"), withIntermediateDirectories: true)
        let worker = dir.file("odd dir $x/fake worker")
        try "#!/bin/bash\nprintf '%s|' \"$@\" > \"$(dirname \"$0\")/called\"\n".write(toFile: worker, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: worker)
        let tasks = dir.file("odd dir $x/it's group.jsonl")
        var script = Self.gatherScript
        script.workerPath = worker
        script.tasksFile = tasks
        script.environment = []
        script.taskOffset = 1
        let path = dir.file("job.sbatch")
        try ScriptRenderer().render(script).write(toFile: path, atomically: true, encoding: .utf8)
        // Task 1 with offset 1 runs index 1 (the second line).
        let result = try runBash("bash " + ShellQuoting.quote(path), environment: ["SLURM_ARRAY_TASK_ID": "1"])
        #expect(result.status == 0)
        let called = try String(contentsOfFile: dir.file("odd dir $x/called"), encoding: .utf8)
        #expect(called == "run|--specs|\(tasks)|--index|1|")
    }

    @Test("the built-in template is byte-identical to job_templates/slurm-array.sbatch.mustache")
    func builtinTemplateMatchesRepository() throws {
        let url = Self.repositoryRoot.appendingPathComponent("job_templates/\(ScriptRenderer.arrayTemplateName)")
        #expect(try String(contentsOf: url, encoding: .utf8) == BuiltinTemplates.slurmArray)
    }

    @Test("the built-in supervisor template is byte-identical to job_templates/slurm-supervisor.sbatch.mustache")
    func builtinSupervisorTemplateMatchesRepository() throws {
        let url = Self.repositoryRoot.appendingPathComponent("job_templates/\(ScriptRenderer.supervisorTemplateName)")
        #expect(try String(contentsOf: url, encoding: .utf8) == BuiltinTemplates.slurmSupervisor)
    }

    @Test("the supervisor script runs the given calfarm on the absolute database, quoted, under its own job name and limit")
    func supervisorScript() throws {
        let dir = try TemporaryDirectory("render-supervisor")
        let configuration = try Configuration.defaults.applying(overrides: [
            "general.partition=short", "supervisor.time_limit=02:00:00", "supervisor.memory=300M",
            "general.template_dir=\(dir.path)"])
        // A site directory with only the array template still gets the built-in supervisor template
        try "#!/bin/bash\nexec {{{worker}}}\n".write(toFile: dir.file(ScriptRenderer.arrayTemplateName), atomically: true, encoding: .utf8)
        let calfarm = dir.file("bin dir/calfarm")
        try FileManager.default.createDirectory(atPath: dir.file("bin dir"), withIntermediateDirectories: true)
        try "#!/bin/bash\nprintf '%s|' \"$@\" > \"$(dirname \"$0\")/called\"\n".write(toFile: calfarm, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: calfarm)
        let script = SupervisorScript(request: "dark-1", configuration: configuration, logDirectory: dir.file("logs 100%"),
                                      calfarmPath: calfarm, databasePath: dir.file("it's.sqlite"))
        let text = try ScriptRenderer(configuration: configuration).render(script)
        #expect(text.contains("#SBATCH --job-name=calfarm-dark-1-supervisor\n"))
        #expect(text.contains("#SBATCH --time=02:00:00\n") && text.contains("#SBATCH --mem=300M\n"))
        #expect(text.contains("#SBATCH --partition=short\n"))
        #expect(text.contains("logs 100%%/supervisor_%j.log"))
        let path = dir.file("supervisor.sbatch")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runBash("bash " + ShellQuoting.quote(path), environment: [:])
        #expect(result.status == 0)
        let called = try String(contentsOfFile: dir.file("bin dir/called"), encoding: .utf8)
        #expect(called == "supervise|dark-1|--db|\(dir.file("it's.sqlite"))|")
    }

    @Test("a site template directory is used, and a missing template names its path")
    func siteTemplateDirectory() throws {
        let dir = try TemporaryDirectory("render-site")
        #expect(throws: RenderError.templateMissing(path: dir.path + "/slurm-array.sbatch.mustache")) {
            try ScriptRenderer(templateDirectory: dir.path)
        }
        let configuration = try Configuration.defaults.applying(overrides: ["general.template_dir=\(dir.path)"])
        try "#!/bin/bash\n#SBATCH --job-name={{{job_name}}}\n# site {{{group}}}\nexec {{{worker}}}\n"
            .write(toFile: dir.file("slurm-array.sbatch.mustache"), atomically: true, encoding: .utf8)
        let renderer = try ScriptRenderer(configuration: configuration)
        #expect(renderer.templatePath == dir.file("slurm-array.sbatch.mustache"))
        #expect(try renderer.render(Self.gatherScript) ==
                "#!/bin/bash\n#SBATCH --job-name=calfarm-20261124-ab12\n# site gather.r0819\nexec /opt/calfarm/bin/calfarm-worker\n")
    }

    @Test("values that cannot live on an #SBATCH line are refused, naming the field")
    func unrepresentableValues() throws {
        var script = Self.gatherScript
        script.partition = "a\nb"
        #expect(throws: RenderError.unrepresentable(field: "partition", value: "a\nb",
                                                    reason: "an #SBATCH line cannot hold a line break")) {
            try ScriptRenderer().render(script)
        }
        script = Self.gatherScript
        script.extraSbatch = ["--a\n--b"]
        #expect(throws: RenderError.self) { try ScriptRenderer().render(script) }
    }
}
