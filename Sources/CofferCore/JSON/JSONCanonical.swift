extension JSONValue {
    /// The form two requests share when they mean the same thing: object members sorted by key
    /// (by UTF-8 bytes), strings NFC-normalised as the field reader reads them, numbers kept as
    /// written (`10` and `10.0` are different requests: one of them is refused). Used to fingerprint
    /// idempotent requests, so a client that re-serialises its retry is still replayed.
    public var canonical: JSONValue {
        switch self {
        case .null, .bool, .number: self
        case let .string(text): .string(TextRules.normalized(text))
        case let .array(items): .array(items.map(\.canonical))
        case let .object(members):
            .object(members.map { (TextRules.normalized($0.0), $0.1.canonical) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
        }
    }
}
