import CofferCore
import CofferHTTP

/// Query parameters of list endpoints: `limit`, `offset`, `cursor` and declared filters.
/// Anything else is refused, so a misspelt filter never silently returns everything.
struct ListQuery {
    static let limitDefault = 20
    static let limitMax = 100

    let page: PageRequest
    /// `?metadata[key]=value` filters, on lists that take them (API.md "Metadata").
    let metadata: [String: String]
    private let query: QueryParameters

    /// `keyset` names the list when it takes cursors: a cursor is only valid on the list that issued it.
    init(
        _ request: Request, filters: [String], keyset: String? = nil, metadata takesMetadata: Bool = false, limitDefault: Int = limitDefault,
        limitMax: Int = limitMax
    ) throws(AppError) {
        query = request.query
        let known = Set(filters + ["limit", "offset"] + (keyset != nil ? ["cursor"] : []))
        var metadata: [String: String] = [:]
        for name in query.names {
            if takesMetadata, let key = try Self.metadataKey(name) {
                guard let value = query.value(name), TextRules.problem(value) == nil, value.count <= Metadata.valueLengthMax else {
                    throw AppError.invalidParameter(name, "must be a metadata value of at most \(Metadata.valueLengthMax) characters")
                }
                metadata[key] = TextRules.normalized(value)
                continue
            }
            guard known.contains(name) else { throw AppError.invalidParameter(name, "is not a known parameter") }
        }
        self.metadata = metadata
        for name in Set(query.names) where query.pairs.filter({ $0.name == name }).count > 1 {
            throw AppError.invalidParameter(name, "is given more than once")
        }
        let limit = try Self.integer(query.value("limit"), name: "limit", default: limitDefault, range: 1...limitMax)
        let offset = try Self.integer(query.value("offset"), name: "offset", default: 0, range: 0...1_000_000)
        var after: String?
        if let cursor = query.value("cursor"), let keyset {
            guard let decoded = Self.decodeCursor(cursor, scope: keyset) else {
                throw AppError.invalidParameter("cursor", "is not a cursor this list issued")
            }
            guard offset == 0 else { throw AppError.invalidParameter("offset", "cannot be combined with cursor") }
            after = decoded
        }
        page = PageRequest(limit: limit, offset: offset, after: after, scope: keyset)
    }

    func value(_ name: String) -> String? { query.value(name) }

    /// The key of a `metadata[key]` parameter name; nil for any other name. A malformed key is
    /// refused rather than ignored, so a typo never lists everything.
    private static func metadataKey(_ name: String) throws(AppError) -> String? {
        guard name.hasPrefix("metadata[") || name == "metadata" else { return nil }
        guard name.hasSuffix("]"), case let key = String(name.dropFirst("metadata[".count).dropLast()), Metadata.isValidKey(key) else {
            throw AppError.invalidParameter(name, "must be metadata[key] with a key of [a-z0-9_.-]{1,\(Metadata.keyLengthMax)}")
        }
        return key
    }

    /// A filter restricted to known values (`role=admin`).
    func choice<T: RawRepresentable>(_ name: String, as type: T.Type) throws(AppError) -> T? where T.RawValue == String {
        guard let raw = query.value(name) else { return nil }
        guard let value = T(rawValue: raw) else { throw AppError.invalidParameter(name, "has an unknown value") }
        return value
    }

    private static func integer(_ raw: String?, name: String, default fallback: Int, range: ClosedRange<Int>) throws(AppError) -> Int {
        guard let raw else { return fallback }
        guard raw.allSatisfy(\.isASCII), let value = Int(raw), range.contains(value) else {
            throw AppError.invalidParameter(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func cursor(after id: String, scope: String) -> String { Base64URL.encode("c2:\(scope):\(id)") }

    /// The item id inside a cursor of this list; nil for anything else.
    static func decodeCursor(_ cursor: String, scope: String) -> String? {
        guard cursor.utf8.count <= 200, let bytes = Base64URL.decode(cursor) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let prefix = "c2:\(scope):"
        guard text.hasPrefix(prefix) else { return nil }
        let id = text.dropFirst(prefix.count)
        guard (1...100).contains(id.utf8.count), id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            return nil
        }
        return String(id)
    }
}
