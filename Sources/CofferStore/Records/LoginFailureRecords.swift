import CofferCore

extension Database {
    public func recordLoginFailure(userID: String, at time: Timestamp) throws {
        try run("INSERT INTO login_failures (user_id, at) VALUES (?, ?)", [.text(userID), .integer(time.millisecondsSinceEpoch)])
    }

    /// Failure times at or after `since`, oldest first.
    public func loginFailures(userID: String, since: Timestamp) throws -> [Timestamp] {
        try query("SELECT at FROM login_failures WHERE user_id = ? AND at >= ? ORDER BY at",
                  [.text(userID), .integer(since.millisecondsSinceEpoch)]) { Timestamp(millisecondsSinceEpoch: $0.int64(0)) }
    }

    public func clearLoginFailures(userID: String) throws {
        try run("DELETE FROM login_failures WHERE user_id = ?", [.text(userID)])
    }
}
