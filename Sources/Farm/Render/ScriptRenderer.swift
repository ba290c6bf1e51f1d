import Foundation
import Mustache

/// Renders SLURM batch scripts from Mustache templates. The built-in template is a compiled-in
/// copy of `job_templates/slurm-array.sbatch.mustache`; a site points `general.template_dir` at
/// its own directory holding a file of the same name.
///
/// Template variables (all strings already quoted for their position; use triple braces):
/// `request`, `group` (plain ids, for the header comment); #SBATCH values `job_name`, `comment`,
/// `partition`?, `account`?, `qos`?, `time`, `mem`?, `cpus`, `array` (`1-96` or `1-96%8`),
/// `output`, `error`, `mail_type`?, `mail_user`? (only in the request's mail carrier),
/// `extra_sbatch` (list of raw option strings); shell values `tasks_file`, `task_offset`,
/// `worker`; `environment` (list of raw shell lines). `?` marks variables absent when unset.
public struct ScriptRenderer: Sendable {
    /// The template's file name in a template directory.
    public static let arrayTemplateName = "slurm-array.sbatch.mustache"
    /// The supervisor job's template (``SupervisorScript``); a template directory without it
    /// uses the built-in one, so a site's array template from before the supervisor still works.
    public static let supervisorTemplateName = "slurm-supervisor.sbatch.mustache"

    /// Where the template came from; nil for the built-in one.
    public let templatePath: String?
    private let template: MustacheTemplate
    private let supervisorTemplate: MustacheTemplate

    /// Loads the array template from `templateDirectory`, or the built-in one when nil.
    /// - Throws: ``RenderError/templateMissing(path:)`` naming the path when the file is absent.
    public init(templateDirectory: String? = nil) throws {
        let supervisorPath = templateDirectory.map { "\($0)/\(Self.supervisorTemplateName)" }
        if let supervisorPath, FileManager.default.fileExists(atPath: supervisorPath) {
            supervisorTemplate = try Self.load(supervisorPath)
        } else {
            supervisorTemplate = try Self.compile(BuiltinTemplates.slurmSupervisor, path: "built-in supervisor template")
        }
        guard let templateDirectory else {
            templatePath = nil
            template = try Self.compile(BuiltinTemplates.slurmArray, path: "built-in template")
            return
        }
        let path = "\(templateDirectory)/\(Self.arrayTemplateName)"
        guard FileManager.default.fileExists(atPath: path) else { throw RenderError.templateMissing(path: path) }
        template = try Self.load(path)
        templatePath = path
    }

    private static func load(_ path: String) throws -> MustacheTemplate {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RenderError.templateUnreadable(path: path, reason: error.localizedDescription)
        }
        return try compile(text, path: path)
    }

    private static func compile(_ text: String, path: String) throws -> MustacheTemplate {
        do { return try MustacheTemplate(string: text) } catch {
            throw RenderError.templateInvalid(path: path, reason: "\(error)")
        }
    }

    /// The supervisor job's script.
    /// - Throws: ``RenderError/unrepresentable(field:value:reason:)`` as ``render(_:)``.
    public func render(_ script: SupervisorScript) throws -> String {
        func directive(_ value: String, _ field: String) throws -> String {
            try ShellQuoting.sbatchValue(value, field: field)
        }
        guard !script.request.contains(where: \.isNewline) else {
            throw RenderError.unrepresentable(field: "request id", value: script.request, reason: "it holds a line break")
        }
        var context: [String: Any] = [
            "request": script.request,
            "job_name": try directive(script.jobName, "job name"),
            "time": try directive(script.timeLimit, "time limit"),
            "output": try directive(try ShellQuoting.slurmFilenameLiteral(script.logDirectory, field: "log directory")
                + "/supervisor_%j.log", "log"),
            "environment": script.environment,
            "calfarm": ShellQuoting.quote(script.calfarmPath),
            "request_argument": ShellQuoting.quote(script.request),
            "database": ShellQuoting.quote(script.databasePath),
        ]
        if let partition = script.partition { context["partition"] = try directive(partition, "partition") }
        if let account = script.account { context["account"] = try directive(account, "account") }
        if let qos = script.qos { context["qos"] = try directive(qos, "qos") }
        if let memory = script.memory { context["mem"] = try directive(memory, "memory") }
        return supervisorTemplate.render(context)
    }

    /// Uses `general.template_dir` of the configuration (built-in template when unset).
    public init(configuration: Configuration) throws {
        try self.init(templateDirectory: configuration.general.templateDir)
    }

    /// The batch script for `script`.
    /// - Throws: ``RenderError/unrepresentable(field:value:reason:)`` when a value cannot be
    ///   written safely (a line break in an `#SBATCH` value, a backslash in a log path).
    public func render(_ script: ArrayScript) throws -> String {
        template.render(try context(for: script))
    }

    /// The Mustache context: every value quoted for where the template puts it.
    func context(for script: ArrayScript) throws -> [String: Any] {
        func directive(_ value: String, _ field: String) throws -> String {
            try ShellQuoting.sbatchValue(value, field: field)
        }
        let throttle = script.resources.arrayThrottle
        let logDirectory = try ShellQuoting.slurmFilenameLiteral(script.logDirectory, field: "log directory")
        for id in [script.request, script.group] where id.contains(where: \.isNewline) {
            throw RenderError.unrepresentable(field: "request or group id", value: id, reason: "it holds a line break")
        }
        var context: [String: Any] = [
            "request": script.request,
            "group": script.group,
            "job_name": try directive(script.jobName, "job name"),
            "comment": try directive(script.comment, "comment"),
            "time": try directive(script.resources.timeLimit, "time limit"),
            "cpus": String(script.resources.cpus),
            "array": try directive(script.arraySpec + (throttle > 0 ? "%\(throttle)" : ""), "array"),
            // stdout and stderr share one log per task (no --error line): one file to read.
            "output": try directive("\(logDirectory)/\(script.group)_%A_%a.log", "log"),
            "extra_sbatch": try script.extraSbatch.map { option -> String in
                if option.contains(where: \.isNewline) {
                    throw RenderError.unrepresentable(field: "general.extra_sbatch entry", value: option,
                                                      reason: "one option per #SBATCH line")
                }
                return option
            },
            "environment": script.environment,
            "tasks_file": ShellQuoting.quote(script.tasksFile),
            "task_offset": String(script.taskOffset),
            "worker": ShellQuoting.quote(script.workerPath),
        ]
        if let partition = script.partition { context["partition"] = try directive(partition, "partition") }
        if let account = script.account { context["account"] = try directive(account, "account") }
        if let qos = script.qos { context["qos"] = try directive(qos, "qos") }
        if let memory = script.resources.memory { context["mem"] = try directive(memory, "memory") }
        if let mail = script.mail {
            context["mail_type"] = try directive(mail.type, "mail type")
            context["mail_user"] = try directive(mail.user, "mail user")
        }
        return context
    }
}
