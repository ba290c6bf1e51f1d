import FarmContract
import Foundation

// Column lists and row decoding, kept beside each other so a SELECT and its decoder agree.
extension FarmStore {
    static let requestColumns = """
        id, createdAt, facility, measurement, runs, channels, asics, runType, inputDir, outputDir, \
        executor, configuration, state, workDir, supersededBy
        """

    static let jobUnitColumns = """
        request, id, step, runs, channel, sequence, asics, state, attempts, specPath, resultPath, \
        logPath, lastError, arrayGroup, timeLimit
        """

    static let attemptColumns = """
        id, request, job, number, executor, token, slurmJobID, arrayTaskID, state, exitCode, node, \
        submittedAt, startedAt, endedAt, logPath, reason
        """

    static let submissionColumns = "id, request, arrayGroup, token, state, slurmJobID, createdAt, message"

    static let eventColumns = "id, request, job, time, kind, message"

    func requestRecord(_ row: SQLiteStatement) throws -> RequestRecord {
        RequestRecord(
            id: row.string(0),
            createdAt: Date(timeIntervalSince1970: row.double(1)),
            facility: try decode(row, 2, table: "request", column: "facility"),
            measurement: try decode(row, 3, table: "request", column: "measurement"),
            runs: try integers(row, 4, table: "request", column: "runs"),
            channels: try integers(row, 5, table: "request", column: "channels"),
            asics: try integers(row, 6, table: "request", column: "asics"),
            runType: row.string(7), inputDir: row.string(8), outputDir: row.string(9),
            executor: row.string(10), configuration: row.string(11),
            state: try decode(row, 12, table: "request", column: "state"),
            workDir: row.string(13), supersededBy: row.isNull(14) ? nil : row.string(14))
    }

    /// Decodes a `jobUnitColumns` row whose first column is at `offset`.
    func jobUnitRecord(_ row: SQLiteStatement, offset: Int32 = 0) throws -> JobUnitRecord {
        let o = offset
        return JobUnitRecord(
            request: row.string(o), id: row.string(o + 1),
            step: try decode(row, o + 2, table: "jobUnit", column: "step"),
            runs: try integers(row, o + 3, table: "jobUnit", column: "runs"),
            channel: row.optionalInt(o + 4), sequence: row.optionalInt(o + 5),
            asics: try integers(row, o + 6, table: "jobUnit", column: "asics"),
            state: try decode(row, o + 7, table: "jobUnit", column: "state"),
            attempts: row.int(o + 8), specPath: row.optionalString(o + 9),
            resultPath: row.optionalString(o + 10), logPath: row.optionalString(o + 11),
            lastError: row.optionalString(o + 12), arrayGroup: row.optionalString(o + 13),
            timeLimit: row.optionalString(o + 14))
    }

    /// Decodes an `attemptColumns` row whose first column is at `offset`.
    func attemptRecord(_ row: SQLiteStatement, offset: Int32 = 0) throws -> AttemptRecord {
        let o = offset
        return AttemptRecord(
            id: row.int64(o), request: row.string(o + 1), job: row.string(o + 2), number: row.int(o + 3),
            executor: row.string(o + 4), token: row.optionalString(o + 5),
            slurmJobID: row.optionalString(o + 6), arrayTaskID: row.optionalInt(o + 7),
            state: try decode(row, o + 8, table: "attempt", column: "state"),
            exitCode: row.optionalInt(o + 9), node: row.optionalString(o + 10),
            submittedAt: date(row, o + 11), startedAt: date(row, o + 12), endedAt: date(row, o + 13),
            logPath: row.optionalString(o + 14), reason: row.optionalString(o + 15))
    }

    func submissionRecord(_ row: SQLiteStatement) throws -> SubmissionRecord {
        SubmissionRecord(
            id: row.int64(0), request: row.string(1), arrayGroup: row.string(2), token: row.string(3),
            state: try decode(row, 4, table: "submission", column: "state"),
            slurmJobID: row.optionalString(5), createdAt: Date(timeIntervalSince1970: row.double(6)),
            message: row.optionalString(7))
    }

    func eventRecord(_ row: SQLiteStatement) -> EventRecord {
        EventRecord(id: row.int64(0), request: row.string(1), job: row.optionalString(2),
                    time: Date(timeIntervalSince1970: row.double(3)), kind: row.string(4),
                    message: row.string(5))
    }

    // MARK: Column values

    func decode<T: RawRepresentable>(_ row: SQLiteStatement, _ column: Int32, table: String,
                                     column name: String) throws -> T where T.RawValue == String {
        let raw = row.string(column)
        guard let value = T(rawValue: raw) else {
            throw StoreError.corruptValue(path: path, table: table, column: name, value: raw)
        }
        return value
    }

    func integers(_ row: SQLiteStatement, _ column: Int32, table: String, column name: String) throws -> [Int] {
        let raw = row.string(column)
        guard let values = IntegerList.decode(raw) else {
            throw StoreError.corruptValue(path: path, table: table, column: name, value: raw)
        }
        return values
    }

    func date(_ row: SQLiteStatement, _ column: Int32) -> Date? {
        row.optionalDouble(column).map(Date.init(timeIntervalSince1970:))
    }
}

/// Lists of runs, channels and ASICs as JSON arrays of integers (`[1,2,3]`), written and read by
/// hand: they are short and there are hundreds of thousands of them in a bulk insert.
enum IntegerList {
    static func encode(_ values: [Int]) -> String {
        var text = "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += String(value)
        }
        return text + "]"
    }

    static func decode(_ text: String) -> [Int]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
        let body = trimmed.dropFirst().dropLast()
        if body.allSatisfy({ $0 == " " }) { return [] }
        var values: [Int] = []
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        return values
    }
}

