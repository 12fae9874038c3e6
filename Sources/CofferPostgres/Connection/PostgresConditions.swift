import CofferStore

/// A WHERE clause built from the filters a request actually has, numbering PostgreSQL's `$n`
/// placeholders as values are added: a clause written with `?` gets the next numbers. Only
/// given filters appear, so the planner can use each one's index.
struct PostgresConditions {
    private(set) var clauses: [String]
    private(set) var arguments: [PostgresValue] = []

    init(_ fixed: String...) { clauses = fixed }

    mutating func add(_ clause: String, _ values: PostgresValue...) {
        add(clause, values: values)
    }

    mutating func add(_ clause: String, values: [PostgresValue]) {
        clauses.append(number(clause, values))
    }

    /// The next placeholder for `value`, for the parts after WHERE (LIMIT, OFFSET).
    mutating func placeholder(_ value: PostgresValue) -> String {
        number("?", [value])
    }

    private mutating func number(_ clause: String, _ values: [PostgresValue]) -> String {
        var text = ""
        var used = 0
        for character in clause {
            if character == "?" {
                precondition(used < values.count, "more placeholders than values in \(clause)")
                arguments.append(values[used])
                used += 1
                text += "$\(arguments.count)"
            } else {
                text.append(character)
            }
        }
        precondition(used == values.count, "more values than placeholders in \(clause)")
        return text
    }

    var sql: String { clauses.isEmpty ? "TRUE" : clauses.joined(separator: " AND ") }

    /// `?metadata[key]=value` filters: the id `column` must be among the owners of each entry,
    /// found through the (owner, key, value) index.
    mutating func metadata(_ entries: [String: String], owner: MetadataOwner, id column: String) {
        clauses += metadataClauses(entries, owner: owner, id: column)
    }

    /// The same filters as clauses numbered in this statement, for a part of it built apart (one
    /// side of a UNION).
    mutating func metadataClauses(_ entries: [String: String], owner: MetadataOwner, id column: String) -> [String] {
        var found: [String] = []
        for key in entries.keys.sorted() {
            found.append(
                "\(column) IN (SELECT owner_id FROM metadata_entries WHERE owner = '\(owner.rawValue)' AND key = \(placeholder(.text(key))) AND value = \(placeholder(.text(entries[key]!))))"
            )
        }
        return found
    }
}
