import CofferStore

extension Schema {
    /// Lockout counts failures per normalised email, whether or not a user has it, so the answer
    /// never tells which emails exist. Failures of the old per-user table are at most 15 minutes
    /// old and are dropped with it.
    static let lockoutPerEmail = Migration(
        version: 4, name: "lockout_per_email",
        sql: """
            DROP TABLE login_failures;
            CREATE TABLE login_failures (
                email TEXT NOT NULL,
                at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX login_failures_email ON login_failures (email, at);
            """)

    /// The id the server gave the request (nginx's `$request_id`, or one cofferd generated), kept
    /// beside the client-chosen `X-Request-Id`, which two clients may well pick alike.
    static let auditServerRequestID = Migration(
        version: 5, name: "audit_server_request_id",
        sql: """
            ALTER TABLE audit_events ADD COLUMN server_request_id TEXT;
            """)
}
