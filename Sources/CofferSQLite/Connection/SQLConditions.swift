import CofferStore

/// A WHERE clause built from the filters a request actually has. Writing every optional filter
/// as `(? IS NULL OR column = ?)` keeps one SQL text, but SQLite then cannot use the index of a
/// filter that is given: a list of one account's transactions scanned the whole journal.
struct SQLConditions {
    private(set) var clauses: [String]
    private(set) var arguments: [SQLiteValue] = []

    init(_ fixed: String...) { clauses = fixed }

    mutating func add(_ clause: String, _ values: SQLiteValue...) {
        add(clause, values: values)
    }

    mutating func add(_ clause: String, values: [SQLiteValue]) {
        clauses.append(clause)
        arguments += values
    }

    var sql: String { clauses.isEmpty ? "1" : clauses.joined(separator: " AND ") }

    /// `?metadata[key]=value` filters: the id `column` must be among the owners of each entry,
    /// found through the (owner, key, value) index.
    mutating func metadata(_ entries: [String: String], owner: MetadataOwner, id column: String) {
        for key in entries.keys.sorted() {
            add(
                "\(column) IN (SELECT owner_id FROM metadata_entries WHERE owner = '\(owner.rawValue)' AND key = ? AND value = ?)",
                .text(key), .text(entries[key]!))
        }
    }
}
