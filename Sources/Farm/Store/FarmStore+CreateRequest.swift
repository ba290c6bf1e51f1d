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

    /// Inserts the units, each pointing at its dependency set (`setID`, nil when it has none).
    /// SQLite keeps bindings across a reset, so a column is bound again only when its value
    /// changes from the previous row: most columns repeat along a step's units.
    func insertUnits(_ jobs: [JobUnitRecord], request: String, setID: (String) -> Int64?,
                     _ db: SQLiteConnection) throws {
        try db.withStatement("""
            INSERT INTO jobUnit (\(Self.jobUnitColumns), dependencySet) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """) { insert in
            try insert.bind(request, at: 1)
            var first = true
            var last = jobs.first ?? JobUnitRecord(request: request, id: "", step: .join)
            var lastSet: Int64? = nil
            for job in jobs {
                try requireSameRequest(job.request, request, what: "job unit \(job.id)")
                try insert.bind(job.id, at: 2)
                if first || job.step != last.step { try insert.bind(job.step.rawValue, at: 3) }
                if first || job.runs != last.runs { try insert.bind(IntegerList.encode(job.runs), at: 4) }
                if first || job.channel != last.channel { try insert.bind(job.channel, at: 5) }
                if first || job.sequence != last.sequence { try insert.bind(job.sequence, at: 6) }
                if first || job.asics != last.asics { try insert.bind(IntegerList.encode(job.asics), at: 7) }
                if first || job.state != last.state { try insert.bind(job.state.rawValue, at: 8) }
                if first || job.attempts != last.attempts { try insert.bind(job.attempts, at: 9) }
                if first || job.specPath != last.specPath { try insert.bind(job.specPath, at: 10) }
                if first || job.resultPath != last.resultPath { try insert.bind(job.resultPath, at: 11) }
                if first || job.logPath != last.logPath { try insert.bind(job.logPath, at: 12) }
                if first || job.lastError != last.lastError { try insert.bind(job.lastError, at: 13) }
                if first || job.arrayGroup != last.arrayGroup { try insert.bind(job.arrayGroup, at: 14) }
                if first || job.timeLimit != last.timeLimit { try insert.bind(job.timeLimit, at: 15) }
                let set = setID(job.id)
                if first || set != lastSet { try insert.bind(set, at: 16) }
                try insert.run()
                first = false
                last = job
                lastSet = set
            }
        }
    }
}
