import CofferCore
import CofferStore

extension PostgresSession {
    public func idempotencyRecord(userID: String, key: String, now: Timestamp) throws -> IdempotencyRecord? {
        try queryFirst(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND expires_at > $3",
            [.text(userID), .text(key), .integer(now.millisecondsSinceEpoch)], IdempotencyRecord.init(row:))
    }

    /// A transaction-scoped advisory lock on a 64-bit hash of the user and the key: another node's
    /// request with the same key fails to take it and answers 409 instead of waiting. Not a row:
    /// PostgreSQL releases the lock when the transaction ends or its connection dies, so a node
    /// killed mid-request leaves nothing to expire.
    public func claimIdempotencyKey(userID: String, key: String) throws -> Bool {
        try queryFirst(
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 7))", [.text(userID), .text(key)]
        ) { $0.bool(0) } ?? false
    }

    public func storeIdempotencyRecord(_ record: IdempotencyRecord, userID: String, key: String, at now: Timestamp, expiresAt: Timestamp) throws {
        let response = record.response
        // An expired row for the same key may still be there; it is replaced.
        try run(
            """
            INSERT INTO idempotency_keys (user_id, key, fingerprint, status, headers, body, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
                headers = excluded.headers, body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at
            """,
            [
                .text(userID), .text(key), .bytes(record.fingerprint), .integer(Int64(response.status)), .text(response.headers),
                .bytes(response.body), .integer(now.millisecondsSinceEpoch), .integer(expiresAt.millisecondsSinceEpoch),
            ])
    }

    @discardableResult
    public func purgeExpiredIdempotencyKeys(now: Timestamp) throws -> Int {
        try run("DELETE FROM idempotency_keys WHERE expires_at <= $1", [.integer(now.millisecondsSinceEpoch)])
    }
}
