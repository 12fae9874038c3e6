import CofferCore
import CofferStore

/// Password attempts per normalised email, for the lockout (`LoginAttempt`).
extension Database {
    /// Nothing to do: the one committer runs one write transaction at a time.
    public func lockEmail(_ email: String) throws {}

    public func reserveLoginAttempt(email: String, at time: Timestamp) throws {
        try run("INSERT INTO login_failures (email, at, pending) VALUES (?, ?, 1)", [.text(email), .integer(time.millisecondsSinceEpoch)])
    }

    /// Two attempts of one email in the same millisecond are interchangeable: either row will do.
    public func settleLoginAttempt(email: String, at time: Timestamp) throws {
        try run(
            """
            UPDATE login_failures SET pending = 0
            WHERE rowid = (SELECT rowid FROM login_failures WHERE email = ?1 AND at = ?2 AND pending = 1 LIMIT 1)
            """, [.text(email), .integer(time.millisecondsSinceEpoch)])
    }

    public func loginAttempts(email: String, since: Timestamp) throws -> [LoginAttempt] {
        try query(
            "SELECT at, pending FROM login_failures WHERE email = ? AND at >= ? ORDER BY at",
            [.text(email), .integer(since.millisecondsSinceEpoch)]
        ) { LoginAttempt(at: Timestamp(millisecondsSinceEpoch: $0.int64(0)), pending: $0.int64(1) == 1) }
    }

    /// By email and by time (`login_failures_at`): without the second index every login read the table.
    static let clearLoginFailures = "DELETE FROM login_failures WHERE (email = ?1 AND pending = 0) OR at < ?2"

    public func clearLoginFailures(email: String, attemptAt time: Timestamp, before: Timestamp) throws {
        try run(Self.clearLoginFailures, [.text(email), .integer(before.millisecondsSinceEpoch)])
        try run(
            "DELETE FROM login_failures WHERE rowid = (SELECT rowid FROM login_failures WHERE email = ?1 AND at = ?2 AND pending = 1 LIMIT 1)",
            [.text(email), .integer(time.millisecondsSinceEpoch)])
    }
}
