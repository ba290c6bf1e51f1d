import Foundation
import Simulator

/// The human form of `calfarm compare-truth`: one row per channel and gain stage, then what
/// is missing and the verdict.
struct TruthComparisonTable {
    var report: TruthComparison.Report

    func render() -> String {
        var lines = ["truth      \(report.truth)", "constants  \(report.constants)", ""]
        var table = TextTable(header: ["channel", "stage", "pixels", "frames", "|Δoffset| ADU", "offset ok",
                                       "noise ratio", "expected", "|Δgain| ADU", "limit", "result"],
                              rightAligned: [2, 3, 4, 5, 6, 7, 8, 9])
        for channel in report.channels {
            for stage in channel.stages {
                table.append([String(format: "%02d", channel.channel), stage.stage, "\(stage.pixels)",
                              String(format: "%.1f", stage.frames), String(format: "%.3f", stage.offsetMeanAbsDifference),
                              String(format: "%.2f%%", 100 * stage.offsetWithinFraction),
                              String(format: "%.3f", stage.noiseMedianRatio), String(format: "%.3f", stage.expectedNoiseRatio),
                              String(format: "%.3f", stage.gainLevelMeanAbsDifference), String(format: "%.3f", stage.gainLevelLimit),
                              stage.agrees ? "ok" : "DIFFERS"])
            }
        }
        lines.append(table.render())
        for channel in report.channels where !channel.problems.isEmpty {
            lines.append("channel \(channel.channel): " + channel.problems.joined(separator: "; "))
        }
        for channel in report.channels where channel.missingPixels > 0 && channel.problems.isEmpty {
            lines.append("channel \(channel.channel): \(channel.missingPixels) pixels masked (allowed)")
        }
        if !report.absent.isEmpty { lines.append("channels without constants: \(IndexList.format(report.absent))") }
        if !report.expectedAbsent.isEmpty {
            lines.append("channels simulated without files, rightly absent: \(IndexList.format(report.expectedAbsent))")
        }
        if !report.unexpected.isEmpty { lines.append("channels not in the truth: \(IndexList.format(report.unexpected))") }
        let disagreeing = report.channels.filter { !$0.agrees }.map(\.channel)
        lines.append(report.agrees ? "result: \(CompareTruthCommand.allAgree(report.channels.count))"
                                   : "result: DIFFERS" + (disagreeing.isEmpty ? "" : " (channels \(IndexList.format(disagreeing)))"))
        return lines.joined(separator: "\n")
    }
}
