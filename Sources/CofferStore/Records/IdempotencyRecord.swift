import CofferCore

/// One user's Idempotency-Key: the fingerprint of the request that first used it (SHA-256, never
/// the request itself) and the answer it got.
public struct IdempotencyRecord: Sendable {
    public let fingerprint: [UInt8]
    public let response: StoredResponse

    public init(fingerprint: [UInt8], response: StoredResponse) {
        self.fingerprint = fingerprint
        self.response = response
    }
}
