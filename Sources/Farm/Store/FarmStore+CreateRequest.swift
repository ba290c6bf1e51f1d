// The bulk inserts behind `createRequest`: dependency sets, then job units. Both run inside the
// caller's transaction, once per request, over up to hundreds of thousands of rows.
extension FarmStore {
    /// Checks that the grouped edges only name units of `units`, without repeats, and stores
    /// each distinct list once. Returns the row id of each list, in `sets.lists` order.
    func insertDependencySets(_ sets: DependencySets, request: String, units: [JobUnitRecord],
                              _ db: SQLiteConnection) throws -> [Int64] {
        guard !sets.lists.isEmpty else { return [] }
        var known = Set<String>(minimumCapacity: units.count)
        for unit in units { known.insert(unit.id) }
        func refuse(_ message: String) -> StoreError {
            .constraint(path: path, operation: "dependency check", message: message)
        }
        for job in sets.listOfJob.keys where !known.contains(job) {
            throw refuse("dependency of unknown job unit '\(job)' in request '\(request)'")
        }
        var ids: [Int64] = []
        ids.reserveCapacity(sets.lists.count)
        try db.withStatement("INSERT INTO dependencySet (request, success, completion) VALUES (?,?,?)") { insert in
            try insert.bind(request, at: 1)
            var members = Set<String>()
            for list in sets.lists {
                members.removeAll(keepingCapacity: true)
                for member in list.success + list.completion {
                    guard known.contains(member) else {
                        throw refuse("dependency on unknown job unit '\(member)' in request '\(request)'")
                    }
                    guard members.insert(member).inserted else {
                        throw refuse("dependency on job unit '\(member)' listed twice for one unit in request '\(request)'")
                    }
                }
                try insert.bind(StringList.encode(list.success), at: 2)
                try insert.bind(StringList.encode(list.completion), at: 3)
                try insert.run()
                ids.append(db.lastInsertRowID)
            }
        }
        return ids
    }

    /// The unit insert: 64 rows × 15 parameters stay far below SQLite's parameter limit.
    static let unitInsert = MultiRowInsert(head: "INSERT INTO jobUnit (\(jobUnitColumns), dependencySet)",
                                           shared: 1, perRow: 15, rowsPerInsert: 64)

    /// Inserts the units, each pointing at its dependency set (`setID`, nil when it has none).
    func insertUnits(_ jobs: [JobUnitRecord], request: String, setID: (String) -> Int64?,
                     _ db: SQLiteConnection) throws {
        for job in jobs { try requireSameRequest(job.request, request, what: "job unit \(job.id)") }
        let setIDs = jobs.map { setID($0.id) }
        var binder = UnitRowBinder(rows: 0)
        try Self.unitInsert.run(count: jobs.count, db, bindShared: { insert, rows in
            try insert.bind(request, at: 1)
            binder = UnitRowBinder(rows: rows)
        }, bindRow: { insert, index, slot in
            try binder.bind(index, of: jobs, set: setIDs, slot: slot,
                            first: Self.unitInsert.firstParameter(slot: slot), insert)
        })
    }
}

/// Binds unit rows to the slots of a multi-row INSERT. SQLite keeps bindings across a reset, so
/// a slot's column is bound again only when it differs from the row the slot held last time:
/// most columns repeat along a step's units.
private struct UnitRowBinder {
    /// Index (into the job list) of the row each slot held last; nil before its first row.
    private var previous: [Int?]

    init(rows: Int) { previous = Array(repeating: nil, count: rows) }

    /// Binds row `index` into `slot`, whose first parameter (the unit id) is `base`.
    mutating func bind(_ index: Int, of jobs: [JobUnitRecord], set sets: [Int64?], slot: Int,
                       first base: Int32, _ insert: SQLiteStatement) throws {
        let job = jobs[index]
        defer { previous[slot] = index }
        try insert.bind(job.id, at: base)
        let first = previous[slot] == nil
        let last = jobs[previous[slot] ?? index], lastSet = sets[previous[slot] ?? index]
        if first || job.step != last.step { try insert.bind(job.step.rawValue, at: base + 1) }
        if first || job.runs != last.runs { try insert.bind(IntegerList.encode(job.runs), at: base + 2) }
        if first || job.channel != last.channel { try insert.bind(job.channel, at: base + 3) }
        if first || job.sequence != last.sequence { try insert.bind(job.sequence, at: base + 4) }
        if first || job.asics != last.asics { try insert.bind(IntegerList.encode(job.asics), at: base + 5) }
        if first || job.state != last.state { try insert.bind(job.state.rawValue, at: base + 6) }
        if first || job.attempts != last.attempts { try insert.bind(job.attempts, at: base + 7) }
        if first || job.specPath != last.specPath { try insert.bind(job.specPath, at: base + 8) }
        if first || job.resultPath != last.resultPath { try insert.bind(job.resultPath, at: base + 9) }
        if first || job.logPath != last.logPath { try insert.bind(job.logPath, at: base + 10) }
        if first || job.lastError != last.lastError { try insert.bind(job.lastError, at: base + 11) }
        if first || job.arrayGroup != last.arrayGroup { try insert.bind(job.arrayGroup, at: base + 12) }
        if first || job.timeLimit != last.timeLimit { try insert.bind(job.timeLimit, at: base + 13) }
        if first || sets[index] != lastSet { try insert.bind(sets[index], at: base + 14) }
    }
}
