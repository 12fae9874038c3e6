import CPostgres
import CofferStore

/// One `PGresult*`, cleared when the last reference goes. Values arrive in libpq's text format;
/// the accessors parse them into the types the records use.
public final class PostgresResult {
    private let handle: OpaquePointer?

    init(_ handle: OpaquePointer?) { self.handle = handle }

    deinit { PQclear(handle) }

    var status: ExecStatusType { handle.map(PQresultStatus) ?? PGRES_FATAL_ERROR }

    /// The five-character SQLSTATE of a failed statement.
    var sqlState: String? { field(Int32(UInt8(ascii: "C"))) }

    var errorMessage: String? { field(Int32(UInt8(ascii: "M"))) }

    private func field(_ code: Int32) -> String? {
        guard let handle, let value = PQresultErrorField(handle, code) else { return nil }
        return String(cString: value)
    }

    public var rowCount: Int { handle.map { Int(PQntuples($0)) } ?? 0 }

    /// Rows an INSERT, UPDATE or DELETE changed.
    public var changedRows: Int {
        guard let handle, let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    public func row(_ index: Int) -> PostgresRow {
        precondition(index >= 0 && index < rowCount, "row \(index) of \(rowCount)")
        return PostgresRow(result: self, index: Int32(index))
    }

    public var rows: [PostgresRow] { (0..<rowCount).map(row) }

    fileprivate func isNull(_ row: Int32, _ column: Int) -> Bool { PQgetisnull(handle, row, Int32(column)) == 1 }

    fileprivate func bytes(_ row: Int32, _ column: Int) -> UnsafeBufferPointer<UInt8> {
        let length = Int(PQgetlength(handle, row, Int32(column)))
        guard let value = PQgetvalue(handle, row, Int32(column)) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeRawPointer(value).withMemoryRebound(to: UInt8.self, capacity: length) {
            UnsafeBufferPointer(start: $0, count: length)
        }
    }
}

/// One row of a result; the schema decides what each column holds, so a value that does not
/// parse as its column's type is a broken invariant, not an input error.
public struct PostgresRow: RecordRow {
    fileprivate let result: PostgresResult
    fileprivate let index: Int32

    public func isNull(_ column: Int) -> Bool { result.isNull(index, column) }

    public func text(_ column: Int) -> String { String(decoding: result.bytes(index, column), as: UTF8.self) }

    /// A bigint, integer or numeric column that holds a 64-bit integer.
    public func int64(_ column: Int) -> Int64 {
        guard let value = Int64(text(column)) else { preconditionFailure("column \(column) is not a 64-bit integer") }
        return value
    }

    public func bool(_ column: Int) -> Bool { text(column) == "t" }

    /// A bytea column, which libpq's text format writes as `\x` and two hex digits per byte.
    public func blob(_ column: Int) -> [UInt8] {
        let hex = result.bytes(index, column)
        guard hex.count >= 2, hex[0] == UInt8(ascii: "\\"), hex[1] == UInt8(ascii: "x"), hex.count % 2 == 0 else {
            preconditionFailure("bytea column \(column) is not in hex format")
        }
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: preconditionFailure("bytea column \(column) holds a non-hex digit")
            }
        }
        return stride(from: 2, to: hex.count, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
    }
}
