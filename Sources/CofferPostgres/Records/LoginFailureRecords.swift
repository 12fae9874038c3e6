import CofferCore

/// Failed password attempts per normalised email, for the lockout (shared by every node).
extension PostgresSession {
    public func recordLoginFailure(email: String, at time: Timestamp) throws {
        try run("INSERT INTO login_failures (email, at) VALUES ($1, $2)", [.text(email), .integer(time.millisecondsSinceEpoch)])
    }

    /// Failure times at or after `since`, oldest first.
    public func loginFailures(email: String, since: Timestamp) throws -> [Timestamp] {
        try query(
            "SELECT at FROM login_failures WHERE email = $1 AND at >= $2 ORDER BY at",
            [.text(email), .integer(since.millisecondsSinceEpoch)]
        ) { Timestamp(millisecondsSinceEpoch: $0.int64(0)) }
    }

    /// Forgets the failures of one email, and everyone's that left the window long ago.
    public func clearLoginFailures(email: String, before: Timestamp) throws {
        try run("DELETE FROM login_failures WHERE email = $1 OR at < $2", [.text(email), .integer(before.millisecondsSinceEpoch)])
    }
}
