import CofferCore

/// One result row, as either store reads it. The records below are decoded from rows once, for
/// both stores: each store's SELECT lists the columns in the order its record's `init(row:)`
/// names. The schema's CHECK constraints make other values impossible, so a value that does not
/// decode is a broken invariant (a crash beats guessing a role or a currency), never bad input.
public protocol RecordRow {
    func isNull(_ column: Int) -> Bool
    func text(_ column: Int) -> String
    func int64(_ column: Int) -> Int64
    func blob(_ column: Int) -> [UInt8]
}

extension RecordRow {
    public func optionalText(_ column: Int) -> String? { isNull(column) ? nil : text(column) }
    public func optionalInt64(_ column: Int) -> Int64? { isNull(column) ? nil : int64(column) }
    func timestamp(_ column: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: int64(column)) }
    func optionalTimestamp(_ column: Int) -> Timestamp? { optionalInt64(column).map(Timestamp.init(millisecondsSinceEpoch:)) }
}
