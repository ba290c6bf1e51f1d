/// An INSERT of many rows run as `INSERT … VALUES (…), (…), …` with up to `rowsPerInsert` rows
/// per execution. SQLite pays a fixed cost per execution of an INSERT (opening cursors and the
/// statement journal, building the ephemeral tables behind `IN (…)` CHECKs, halting) that, with
/// one row per execution, is about half of a bulk insert.
///
/// Parameters `1…shared` are bound once per statement and repeated in every row (the request,
/// the submission); row `r` of a statement has the `perRow` parameters from `firstParameter(slot: r)` on.
struct MultiRowInsert {
    /// `INSERT INTO table (columns…)`, the columns in the order of the row's parameters.
    let head: String
    let shared: Int
    let perRow: Int
    let rowsPerInsert: Int

    /// The SQL for a statement of `rows` rows.
    func sql(rows: Int) -> String {
        let common = (0..<shared).map { "?\($0 + 1)" }
        let values = (0..<rows).map { row in
            let own = (0..<perRow).map { "?\(Int(firstParameter(slot: row)) + $0)" }
            return "(" + (common + own).joined(separator: ",") + ")"
        }
        return head + " VALUES " + values.joined(separator: ",")
    }

    /// The first parameter of the row in `slot` (0-based) of a statement.
    func firstParameter(slot: Int) -> Int32 { Int32(shared + 1 + perRow * slot) }

    /// Inserts rows `0..<count`: full statements while enough rows remain, then one for the rest.
    /// SQLite keeps bindings across executions, so `bindShared(statement, rows)` runs once per
    /// prepared statement and `bindRow(statement, row, slot)` once per row.
    func run(count: Int, _ db: SQLiteConnection, bindShared: (SQLiteStatement, _ rows: Int) throws -> Void,
             bindRow: (SQLiteStatement, _ row: Int, _ slot: Int) throws -> Void) throws {
        var start = 0
        while start < count {
            let rows = min(rowsPerInsert, count - start)
            try db.withStatement(sql(rows: rows)) { insert in
                try bindShared(insert, rows)
                repeat {
                    for slot in 0..<rows { try bindRow(insert, start + slot, slot) }
                    try insert.run()
                    start += rows
                } while count - start >= rows
            }
        }
    }
}
