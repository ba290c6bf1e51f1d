import Farm
import FarmContract
import Foundation
import Mustache

/// `calfarm report`: one self-contained HTML file per request (inline style, maps as PNG data
/// URIs, no script and nothing fetched), built from the controller's records (``ReportInputs``)
/// and the joined constants. Sections: summary, timeline, resources, failures, data quality,
/// constants (docs/guide.md "The report").
public struct RequestReport {
    public struct Outcome: Sendable, Codable {
        public var request: String
        public var path: String
        public var bytes: Int
        public var maps: Int
        public var attempts: Int
    }

    let inputs: ReportInputs

    public init(inputs: ReportInputs) { self.inputs = inputs }

    public func write(to path: String) throws -> Outcome {
        let (html, maps) = try render()
        try AtomicFile.write(Data(html.utf8), to: path)
        return Outcome(request: inputs.record.id, path: path, bytes: html.utf8.count, maps: maps, attempts: inputs.attempts.count)
    }

    func render() throws -> (html: String, maps: Int) {
        let record = inputs.record
        let status = inputs.status
        let timeline = Timeline(inputs: inputs).svg()
        let units = try inputs.joinedProduct.map { try ConstantMaps.read(path: $0, measurement: record.measurement) } ?? []
        let ends = inputs.attempts.compactMap(\.endedAt)
        let wall = (ends.max() ?? Date()).timeIntervalSince(record.createdAt)
        let general = inputs.configuration.general
        var summary: [[String: String]] = [
            ["name": "request", "value": record.id],
            ["name": "measurement", "value": record.measurement.rawValue],
            ["name": "facility", "value": record.facility.rawValue],
            ["name": "runs", "value": record.runs.map(String.init).joined(separator: ", ")],
            ["name": record.facility == .cfel ? "module" : "channels",
             "value": record.facility == .cfel ? "\(general.module ?? "?") at \(general.temperature ?? "?")"
                : record.channels.map(String.init).joined(separator: ", ")],
            ["name": "executor", "value": record.executor],
            ["name": "state", "value": status.state],
            ["name": "job units", "value": "\(status.jobs.total): \(status.jobs.done) done, \(status.jobs.failed) failed, \(status.jobs.cancelled) cancelled, \(status.jobs.pending + status.jobs.running) not ended"],
            ["name": "wall time", "value": Timeline.duration(wall)],
            ["name": "output", "value": record.outputDir],
            ["name": "CalFarm", "value": CalFarmVersion.current],
        ]
        if let supervisor = status.supervisor { summary.append(["name": "supervisor", "value": supervisor]) }
        let missing = status.missing.map { ["text": "\($0.unit): ASICs \($0.asics.map(String.init).joined(separator: ", ")) — \($0.reason)"] }
        // Every failed attempt, retried or not; a unit still failed says what it cancelled.
        let stillFailed = Dictionary(status.failed.map { ($0.job, $0) }, uniquingKeysWith: { a, _ in a })
        let byJob = Dictionary(grouping: inputs.attempts, by: \.job)
        let failures = inputs.attempts.filter { $0.state == .failed }.map { attempt -> [String: Any] in
            let later = (byJob[attempt.job] ?? []).filter { $0.number > attempt.number }.max { $0.number < $1.number }
            let outcome = later.map { "retried: attempt \($0.number) \($0.state.rawValue)" } ?? "not retried"
            let cancelled = stillFailed[attempt.job].map { $0.cancelledDependents } ?? 0
            return ["job": attempt.job, "number": String(attempt.number), "reason": attempt.reason ?? "unknown",
                    "exit": attempt.exitCode.map(String.init) ?? "–", "node": attempt.node ?? "–", "outcome": outcome,
                    "log": attempt.logPath ?? "–", "tail": (inputs.logTails[attempt.id] ?? []).joined(separator: "\n"),
                    "cancelled": cancelled > 0 && later == nil ? "\(cancelled) unit(s) cancelled because of it" : ""]
        }
        let warnings = Dictionary(grouping: inputs.warnings, by: { String($0.job.prefix { $0 != "." }) })
            .sorted { $0.key < $1.key }
            .map { step, entries -> [String: Any] in
                ["step": step, "count": String(entries.count),
                 "lines": entries.prefix(200).map { ["text": "\($0.job): \($0.message)"] }]
            }
        var mapCount = 0
        let constants = units.map { unit -> [String: Any] in
            mapCount += unit.maps.count
            return ["name": unit.name, "cells": unit.cellsShown,
                    "bad": unit.badPixels.map { ["name": $0.name, "count": String($0.count)] },
                    "hasBad": !unit.badPixels.isEmpty,
                    "maps": unit.maps.map { map in
                        ["title": map.title, "image": map.image, "low": Self.number(map.low), "high": Self.number(map.high),
                         "missing": String(map.missing), "histogram": map.histogram]
                    }]
        }
        let context: [String: Any] = [
            "request": record.id, "summary": summary, "missing": missing, "hasMissing": !missing.isEmpty,
            "configuration": inputs.configuration.effectiveYAML,
            "timeline": timeline.svg, "timelineNote": timeline.note ?? "",
            "resources": Resources(inputs: inputs).rows(), "failures": failures, "hasFailures": !failures.isEmpty,
            "warnings": warnings, "hasWarnings": !warnings.isEmpty,
            "constants": constants, "hasConstants": !constants.isEmpty,
            "noConstants": inputs.joinedProduct == nil ? "no joined constants yet (join has not run)" : "",
            "gradient": ColourMap.cssGradient, "generated": ISO8601DateFormatter().string(from: Date()),
        ]
        return (try MustacheTemplate(string: ReportTemplate.page).render(context), mapCount)
    }

    static func number(_ value: Double) -> String {
        abs(value) >= 1000 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.3g", value)
    }
}
