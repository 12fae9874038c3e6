import CofferCore
import CofferStore

/// Password attempts per normalised email, for the lockout (`LoginAttempt`; shared by every node).
extension PostgresSession {
    /// A transaction-scoped advisory lock per email (under READ COMMITTED two transactions would
    /// both find it free, or count the same attempts); its keys are apart from the idempotency
    /// claims' (seed 7).
    public func lockEmail(_ email: String) throws {
        _ = try queryFirst("SELECT pg_advisory_xact_lock(hashtextextended($1, 11))", [.text(email)]) { _ in true }
    }

    public func reserveLoginAttempt(email: String, at time: Timestamp) throws {
        try run("INSERT INTO login_failures (email, at, pending) VALUES ($1, $2, 1)", [.text(email), .integer(time.millisecondsSinceEpoch)])
    }

    /// Two attempts of one email in the same millisecond are interchangeable: either row will do.
    public func settleLoginAttempt(email: String, at time: Timestamp) throws {
        try run(
            """
            UPDATE login_failures SET pending = 0
            WHERE ctid = (SELECT ctid FROM login_failures WHERE email = $1 AND at = $2 AND pending = 1 LIMIT 1)
            """, [.text(email), .integer(time.millisecondsSinceEpoch)])
    }

    public func loginAttempts(email: String, since: Timestamp) throws -> [LoginAttempt] {
        try query(
            "SELECT at, pending FROM login_failures WHERE email = $1 AND at >= $2 ORDER BY at",
            [.text(email), .integer(since.millisecondsSinceEpoch)]
        ) { LoginAttempt(at: Timestamp(millisecondsSinceEpoch: $0.int64(0)), pending: $0.int64(1) == 1) }
    }

    public func clearLoginFailures(email: String, attemptAt time: Timestamp, before: Timestamp) throws {
        try run("DELETE FROM login_failures WHERE (email = $1 AND pending = 0) OR at < $2", [.text(email), .integer(before.millisecondsSinceEpoch)])
        try run(
            "DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM login_failures WHERE email = $1 AND at = $2 AND pending = 1 LIMIT 1)",
            [.text(email), .integer(time.millisecondsSinceEpoch)])
    }
}
