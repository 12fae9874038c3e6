import CofferCore

/// A response kept for an Idempotency-Key, replayed byte for byte on a repeat.
public struct StoredResponse: Sendable {
    public let fingerprint: [UInt8]
    public let status: Int
    /// Header lines `Name: value`, newline-separated (only the headers worth replaying).
    public let headers: String
    public let body: [UInt8]

    public init(fingerprint: [UInt8], status: Int, headers: String, body: [UInt8]) {
        self.fingerprint = fingerprint
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension Database {
    /// The live (unexpired) response kept for this user's key, if any.
    public func storedResponse(userID: String, key: String, now: Timestamp) throws -> StoredResponse? {
        try queryFirst(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE user_id = ? AND key = ? AND expires_at > ?",
            [.text(userID), .text(key), .integer(now.millisecondsSinceEpoch)]
        ) { row in
            StoredResponse(fingerprint: row.blob(0), status: Int(row.int64(1)), headers: row.text(2), body: row.blob(3))
        }
    }

    public func storeResponse(_ response: StoredResponse, userID: String, key: String, at now: Timestamp, expiresAt: Timestamp) throws {
        // An expired row for the same key may still be there; it is replaced.
        try run(
            """
            INSERT OR REPLACE INTO idempotency_keys (user_id, key, fingerprint, status, headers, body, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(userID), .text(key), .blob(response.fingerprint), .integer(Int64(response.status)), .text(response.headers),
                .blob(response.body), .integer(now.millisecondsSinceEpoch), .integer(expiresAt.millisecondsSinceEpoch),
            ])
    }

    @discardableResult
    public func purgeExpiredIdempotencyKeys(now: Timestamp) throws -> Int {
        try run("DELETE FROM idempotency_keys WHERE expires_at <= ?", [.integer(now.millisecondsSinceEpoch)])
    }
}
