import CofferCore
import CofferStore

extension Database {
    public func idempotencyRecord(userID: String, key: String, now: Timestamp) throws -> IdempotencyRecord? {
        try queryFirst(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE user_id = ? AND key = ? AND expires_at > ?",
            [.text(userID), .text(key), .integer(now.millisecondsSinceEpoch)], IdempotencyRecord.init(row:))
    }

    /// Always granted: SQLite serves one process, whose committer runs one write at a time, and
    /// the process's `InFlightKeys` already answers a repeat that arrives meanwhile.
    public func claimIdempotencyKey(userID: String, key: String) throws -> Bool { true }

    public func storeIdempotencyRecord(_ record: IdempotencyRecord, userID: String, key: String, at now: Timestamp, expiresAt: Timestamp) throws {
        let response = record.response
        // An expired row for the same key may still be there; it is replaced.
        try run(
            """
            INSERT OR REPLACE INTO idempotency_keys (user_id, key, fingerprint, status, headers, body, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(userID), .text(key), .blob(record.fingerprint), .integer(Int64(response.status)), .text(response.headers),
                .blob(response.body), .integer(now.millisecondsSinceEpoch), .integer(expiresAt.millisecondsSinceEpoch),
            ])
    }

    @discardableResult
    public func purgeExpiredIdempotencyKeys(now: Timestamp) throws -> Int {
        try run("DELETE FROM idempotency_keys WHERE expires_at <= ?", [.integer(now.millisecondsSinceEpoch)])
    }
}
