/// A value bound to a PostgreSQL statement. Integers and text go in libpq's text format (the
/// server parses them for the parameter's inferred type); bytes go in binary format, so a bytea
/// needs no escaping.
public enum PostgresValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case bytes([UInt8])

    /// Lays every value out in one buffer (text NUL-terminated) and calls `body` with libpq's
    /// three parallel arrays, valid only during the call.
    static func withParameters<R>(
        _ values: [PostgresValue],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for value in values {
            switch value {
            case .null:
                offsets.append(nil)
                lengths.append(0)
                formats.append(0)
            case let .integer(number):
                offsets.append(buffer.count)
                buffer += String(number).utf8
                buffer.append(0)
                lengths.append(0)
                formats.append(0)
            case let .text(text):
                offsets.append(buffer.count)
                buffer += text.utf8
                buffer.append(0)
                lengths.append(0)
                formats.append(0)
            case let .bytes(bytes):
                offsets.append(buffer.count)
                buffer += bytes
                buffer.append(0)  // keeps the pointer valid for an empty value
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        return buffer.withUnsafeBufferPointer { storage in
            let base = UnsafeRawPointer(storage.baseAddress)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.flatMap { base?.advanced(by: $0).assumingMemoryBound(to: CChar.self) }
            }
            return pointers.withUnsafeBufferPointer { p in
                lengths.withUnsafeBufferPointer { l in
                    formats.withUnsafeBufferPointer { f in body(p.baseAddress, l.baseAddress, f.baseAddress) }
                }
            }
        }
    }
}

extension PostgresValue {
    /// A `text[]` in PostgreSQL's array literal syntax, every element quoted and escaped.
    static func textArray(_ elements: [String]) -> PostgresValue {
        let quoted = elements.map { element in
            "\"" + element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return .text("{" + quoted.joined(separator: ",") + "}")
    }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension Optional where Wrapped == String {
    var postgresValue: PostgresValue { map(PostgresValue.text) ?? .null }
}
