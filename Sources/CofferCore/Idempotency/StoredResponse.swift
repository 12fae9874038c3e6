/// The answer to a write, as kept for its Idempotency-Key and replayed byte for byte on a repeat.
public struct StoredResponse: Sendable {
    public let status: Int
    /// Header lines `Name: value`, newline-separated (only the headers worth replaying).
    public let headers: String
    public let body: [UInt8]

    public init(status: Int, headers: String, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
