import HTTPTypes

/// The header fields of our own that API.md defines, next to swift-http-types' standard names.
extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    public static let idempotencyKey = Self("Idempotency-Key")!
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
}

extension HTTPFields {
    /// The value `subscript(_:)` answers (several fields of the name joined), without its cost
    /// where nearly every lookup lands: one field or none. The subscript builds a new string
    /// through a lazy join even for a single field, and the six lookups of a transfer came to
    /// 14,000 instructions (callgrind, BENCHMARKS.md).
    public func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
