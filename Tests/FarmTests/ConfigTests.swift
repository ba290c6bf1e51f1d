import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

/// Writes `text` to `name` in `dir` and returns the path.
private func write(_ text: String, _ name: String, in dir: TemporaryDirectory) throws -> String {
    let path = dir.file(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

private func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do { try body() } catch let error as ConfigurationError { return error } catch { return nil }
    return nil
}

@Suite("Configuration layers")
struct ConfigLayerTests {
    @Test("every layer overrides the one below: defaults < site < user < --config < --set")
    func precedenceOfEveryLayer() throws {
        let dir = try TemporaryDirectory("config")
        // Given each layer sets account, and each higher layer also sets one key the next does not.
        let site = try write("general:\n  account: site\n  qos: site-qos\n  partition: site-part\n", "site.yaml", in: dir)
        let user = try write("general:\n  account: user\n  qos: user-qos\n", "user.yaml", in: dir)
        let file = try write("general:\n  account: file\n", "file.yaml", in: dir)
        // When all layers are loaded with an override on top.
        let layers = ConfigurationLayers(siteFile: site, userFile: user, configFiles: [file],
                                         overrides: ["general.account=cli"])
        let configuration = try Configuration.load(layers)
        // Then each key holds the highest layer's value, and the source says which layer.
        #expect(configuration.general.account == "cli")
        #expect(configuration.source(of: "general.account") == .override("general.account=cli"))
        #expect(configuration.general.qos == "user-qos")
        #expect(configuration.source(of: "general.qos") == .user(path: user))
        #expect(configuration.general.partition == "site-part")
        #expect(configuration.source(of: "general.partition") == .site(path: site))
        #expect(configuration.general.detectorString == nil)
        #expect(configuration.source(of: "general.detector_string") == .builtin)

        // Without the override, the --config file wins over the user file.
        let withoutSet = try Configuration.load(ConfigurationLayers(siteFile: site, userFile: user, configFiles: [file]))
        #expect(withoutSet.general.account == "file")
        // Later --config files and later --set arguments win over earlier ones.
        let second = try write("general:\n  account: second\n", "second.yaml", in: dir)
        let later = try Configuration.load(ConfigurationLayers(configFiles: [file, second],
                                                               overrides: ["general.qos=a", "general.qos=b"]))
        #expect(later.general.account == "second")
        #expect(later.general.qos == "b")
    }

    @Test("standard layers read CALFARM_SITE_CONFIG and $CALFARM_HOME/config.yaml, and skip a missing user file")
    func standardLayersFromEnvironment() throws {
        let dir = try TemporaryDirectory("config-env")
        let site = try write("general:\n  partition: from-site\n", "site.yaml", in: dir)
        try FileManager.default.createDirectory(atPath: dir.file("home"), withIntermediateDirectories: true)
        _ = try write("general:\n  account: from-user\n", "home/config.yaml", in: dir)
        let layers = ConfigurationLayers.standard(environment: ["CALFARM_SITE_CONFIG": site, "CALFARM_HOME": dir.file("home")])
        #expect(layers.siteFile == site)
        #expect(layers.userFile == dir.file("home") + "/config.yaml")
        let configuration = try Configuration.load(layers)
        #expect(configuration.general.partition == "from-site")
        #expect(configuration.general.account == "from-user")

        let noUser = ConfigurationLayers.standard(environment: ["CALFARM_HOME": dir.file("nowhere")])
        #expect(noUser.siteFile == nil)
        #expect(try Configuration.load(noUser) == Configuration.defaults)
        #expect(ConfigurationLayers.calfarmHome(environment: ["HOME": "/home/u"]) == "/home/u/.calfarm")
    }

    @Test("a missing --config file or site file is an error naming it")
    func missingRequiredFiles() throws {
        let error = configurationError { _ = try Configuration.load(ConfigurationLayers(configFiles: ["nope/c.yaml"])) }
        #expect(error == .missingFile(source: .file(path: "nope/c.yaml")))
        #expect(error?.description.contains("nope/c.yaml") == true)
        let siteError = configurationError { _ = try Configuration.load(ConfigurationLayers(siteFile: "nope/site.yaml")) }
        #expect(siteError == .missingFile(source: .site(path: "nope/site.yaml")))
    }
}

@Suite("Configuration typing")
struct ConfigTypingTests {
    @Test("12:00:00 stays the string \"12:00:00\", never YAML 1.1 sexagesimal 43200")
    func timeLimitStaysAString() throws {
        let configuration = try Configuration.defaults.applying(
            yaml: "process:\n  time_limit: 12:00:00\ngather:\n  time_limit: 1-02:00:00\n", source: .file(path: "t.yaml"))
        #expect(configuration["process.time_limit"] == .string("12:00:00"))
        #expect(configuration.resources(for: .process).timeLimit == "12:00:00")
        #expect(configuration.resources(for: .gather).timeLimit == "1-02:00:00")
        #expect(configuration.effectiveYAML.contains("time_limit: \"12:00:00\""))
        let viaSet = try Configuration.defaults.applying(overrides: ["join.time_limit=12:00:00"])
        #expect(viaSet.resources(for: .join).timeLimit == "12:00:00")
    }

    @Test("ints are ints, integer lists accept ranges and flow lists, strings keep YAML-special words")
    func typedValues() throws {
        let configuration = try Configuration.defaults.applying(yaml: """
            general:
              channels: [0, 8]
              asics: 1-4,9
              partition: on
              environment: module load hdf5
            process:
              n_jobs: 4
              memory: 8G
            retry:
              timeout_factor: 1.5
            """, source: .file(path: "t.yaml"))
        #expect(configuration.general.channels == [0, 8])
        #expect(configuration.general.asics == [1, 2, 3, 4, 9])
        #expect(configuration.general.partition == "on")  // not YAML 1.1's boolean true
        #expect(configuration.general.environment == ["module load hdf5"])
        #expect(configuration.processChunksPerChannel == 4)
        #expect(configuration.resources(for: .process).memory == "8G")
        #expect(configuration.retry.timeoutFactor == 1.5)
        #expect(try Configuration.defaults.applying(yaml: "general:\n  channels: [0-3, 8]\n", source: .builtin)
            .general.channels == [0, 1, 2, 3, 8])
    }

    @Test("--set parses the value with the key's declared type")
    func setOverridesAreTyped() throws {
        let configuration = try Configuration.defaults.applying(overrides: [
            "process.n_jobs=6", "general.channels=0-15", "general.asics=[1, 2, 3]",
            "general.environment=[module load a, \"source /opt/x env.sh\"]", "general.extra_sbatch=--constraint=hsw",
            "general.partition=maxwell", "gather.array_throttle=8", "store.journal_mode=delete",
            "general.mail_type=end,fail", "general.account=null",
        ])
        #expect(configuration["process.n_jobs"] == .int(6))
        #expect(configuration.general.channels == Array(0...15))
        #expect(configuration.general.asics == [1, 2, 3])
        #expect(configuration.general.environment == ["module load a", "source /opt/x env.sh"])
        #expect(configuration.general.extraSbatch == ["--constraint=hsw"])
        #expect(configuration.general.partition == "maxwell")
        #expect(configuration.resources(for: .gather).arrayThrottle == 8)
        #expect(configuration.journalMode == .delete)
        #expect(configuration.general.mailType == "END,FAIL")
        #expect(configuration.general.account == nil)
        let runs = try Configuration.defaults.applying(overrides: ["general.runs=819 820 821"])
        #expect(runs.general.runs == [819, 820, 821])

        let wrong = configurationError { _ = try Configuration.defaults.applying(overrides: ["process.n_jobs=four"]) }
        guard case .wrongType(let key, let source, _, let expected, let got)? = wrong else {
            Issue.record("expected wrongType, got \(String(describing: wrong))"); return
        }
        #expect(key == "process.n_jobs")
        #expect(source == .override("process.n_jobs=four"))
        #expect(expected.contains("integer"))
        #expect(got == "\"four\"")
        #expect(wrong!.description.contains("--set process.n_jobs=four"))
    }

    @Test("unknown keys and sections name the key, the file and the nearest valid key")
    func unknownKeysAreNamedWithSuggestion() throws {
        let dir = try TemporaryDirectory("config-unknown")
        let path = try write("general:\n  partition: a\nprocess:\n  n_job: 4\n", "bad.yaml", in: dir)
        let error = configurationError { _ = try Configuration.load(ConfigurationLayers(configFiles: [path])) }
        #expect(error == .unknownKey(key: "process.n_job", source: .file(path: path), line: 4, suggestion: "process.n_jobs"))
        #expect(error?.description == "unknown key 'process.n_job' in \(path) line 4; did you mean 'process.n_jobs'?")

        let sectionError = configurationError {
            _ = try Configuration.defaults.applying(yaml: "proces:\n  n_jobs: 4\n", source: .file(path: "s.yaml"))
        }
        #expect(sectionError == .unknownSection(section: "proces", source: .file(path: "s.yaml"), line: 1, suggestion: "process"))

        // A key under the wrong section points to where it lives.
        let misplaced = configurationError { _ = try Configuration.defaults.applying(overrides: ["general.n_jobs=3"]) }
        #expect(misplaced == .unknownKey(key: "general.n_jobs", source: .override("general.n_jobs=3"), line: nil,
                                         suggestion: "process.n_jobs"))
        let malformed = configurationError { _ = try Configuration.defaults.applying(overrides: ["n_jobs=3"]) }
        #expect(malformed == .malformedOverride(text: "n_jobs=3"))
    }

    @Test("a wrong type names key, file, line and expected type")
    func wrongTypeIsNamed() throws {
        let error = configurationError {
            _ = try Configuration.defaults.applying(yaml: "process:\n  cpus: [1, 2]\n", source: .file(path: "w.yaml"))
        }
        #expect(error == .wrongType(key: "process.cpus", source: .file(path: "w.yaml"), line: 2,
                                    expected: "integer ≥ 1", got: "a list"))
        let badTime = configurationError {
            _ = try Configuration.defaults.applying(yaml: "join:\n  time_limit: soon\n", source: .file(path: "w.yaml"))
        }
        guard case .invalidValue(let key, _, let line, _, _)? = badTime else {
            Issue.record("expected invalidValue, got \(String(describing: badTime))"); return
        }
        #expect(key == "join.time_limit")
        #expect(line == 2)
        let channel = configurationError {
            _ = try Configuration.defaults.applying(yaml: "general:\n  channels: [0, 16]\n", source: .file(path: "w.yaml"))
        }
        #expect(channel?.description.contains("general.channels") == true)
        #expect(channel?.description.contains("outside 0–15") == true)
        let nullInt = configurationError { _ = try Configuration.defaults.applying(overrides: ["retry.max_attempts="]) }
        #expect(nullInt == .wrongType(key: "retry.max_attempts", source: .override("retry.max_attempts="), line: nil,
                                      expected: "integer ≥ 1", got: "null"))
    }

    @Test("malformed YAML names the file and the line")
    func malformedYAMLNamesFileAndLine() throws {
        let dir = try TemporaryDirectory("config-malformed")
        let path = try write("general:\n  partition: a\n  account: [unclosed\nprocess:\n  n_jobs: 2\n", "broken.yaml", in: dir)
        let error = configurationError { _ = try Configuration.load(ConfigurationLayers(configFiles: [path])) }
        guard case .malformedYAML(let source, let line, _, _)? = error else {
            Issue.record("expected malformedYAML, got \(String(describing: error))"); return
        }
        #expect(source == .file(path: path))
        // The unclosed list is on line 3 (libyaml notices it at line 4)
        #expect(line == 3, "\(error!)")
        #expect(error!.description.hasPrefix("malformed YAML in \(path) line 3"))
        // A key without its ':' is reported on its own line, not at the next line's ':'
        let colon = try write("process:\n  time_limit \"00:10:00\"\n  n_jobs: 4\n", "colon.yaml", in: dir)
        let missingColon = configurationError { _ = try Configuration.load(ConfigurationLayers(configFiles: [colon])) }
        #expect(missingColon?.description.hasPrefix("malformed YAML in \(colon) line 2, column 3: 'time_limit \"00:10:00\"' has no ':'") == true,
                "\(String(describing: missingColon))")
        // An unclosed quote is reported where it opens, not at the end of the file
        let quote = try write("process:\n  n_jobs: \"4\n  cpus: 2\n", "quote.yaml", in: dir)
        guard case .malformedYAML(_, let quoteLine, _, _)? = configurationError({ _ = try Configuration.load(ConfigurationLayers(configFiles: [quote])) }) else {
            Issue.record("expected malformedYAML"); return
        }
        #expect(quoteLine == 2)
        let notMapping = configurationError { _ = try Configuration.defaults.applying(yaml: "- a\n- b\n", source: .file(path: "l.yaml")) }
        #expect(notMapping == .notAMapping(source: .file(path: "l.yaml"), section: nil, line: 1))
    }

    @Test("effectiveYAML lists every declared key and reloads to the same configuration")
    func effectiveYAMLRoundTrips() throws {
        let configuration = try Configuration.defaults.applying(overrides: [
            "general.partition=a \"quoted\" name", "process.time_limit=12:00:00", "general.environment=[x=1; y, \"z\"]",
        ])
        let yaml = configuration.effectiveYAML
        for key in ConfigurationSchema.allKeyPaths {
            let parts = key.split(separator: ".")
            #expect(yaml.contains("\n  \(parts[1]):") || yaml.hasPrefix("\(parts[0]):\n  \(parts[1]):"), "missing \(key)")
        }
        let reloaded = try Configuration.defaults.applying(yaml: yaml, source: .file(path: "effective.yaml"))
        #expect(reloaded.values == configuration.values)
    }

    @Test("the built-in defaults set every declared key and nothing else")
    func defaultsCoverTheSchema() {
        #expect(Set(Configuration.defaults.values.keys) == Set(ConfigurationSchema.allKeyPaths))
        #expect(Configuration.defaults.general.channels == Array(0...15))
        #expect(Configuration.defaults.general.asics == Array(1...16))
        #expect(Configuration.defaults.processChunksPerChannel == nil)   // auto
        #expect(Configuration.defaults.processChunks(rawBytes: nil) == 16)
        #expect(Configuration.defaults.processChunks(rawBytes: 0) == 1)
        #expect(Configuration.defaults.processChunks(rawBytes: (2048 << 20) + 1) == 2)
        #expect(Configuration.defaults.parameters(for: .drscs)["currents"] == "itestc20,itestc80,itestc150")
        #expect(Configuration.defaults.general.detectorString == nil)
        #expect(Configuration.defaults.general.interleaved == nil)
    }
}
