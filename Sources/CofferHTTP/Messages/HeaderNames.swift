import HTTPTypes

/// The header fields of our own that API.md defines, next to swift-http-types' standard names.
extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    public static let idempotencyKey = Self("Idempotency-Key")!
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
}
