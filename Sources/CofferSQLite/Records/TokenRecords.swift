import CofferCore
import CofferStore

extension Database {
    /// A session's revoked refresh tokens come from `refresh_tokens_revoked`, not its whole family,
    /// which gains a row with every refresh.
    static let tokenStandingQuery = """
        SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?1),
               EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ?2 AND revoked_at IS NOT NULL),
               u.id, u.email, u.role, u.status, u.created_at
        FROM (SELECT 1) LEFT JOIN users u ON u.id = ?3
        """

    /// One statement instead of three on the path of every authenticated request.
    public func tokenStanding(jti: String, familyID: String, userID: String) throws -> TokenStanding {
        let standing = try queryFirst(
            Self.tokenStandingQuery, [.text(jti), .text(familyID), .text(userID)]
        ) { row -> TokenStanding in
            var user: User?
            if let id = row.optionalText(2) {
                guard let role = Role(rawValue: row.text(4)), let status = UserStatus(rawValue: row.text(5)) else {
                    preconditionFailure("users row with unknown role or status")
                }
                user = User(id: id, email: row.text(3), role: role, status: status, createdAt: Timestamp(millisecondsSinceEpoch: row.int64(6)))
            }
            return TokenStanding(user: user, isDenied: row.int64(0) == 1, isSessionEnded: row.int64(1) == 1)
        }
        guard let standing else { preconditionFailure("a select from one row always answers one row") }
        return standing
    }

    public func insertRefreshToken(id: String, hash: [UInt8], familyID: String, userID: String, issuedAt: Timestamp, expiresAt: Timestamp) throws {
        try run(
            "INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(id), .blob(hash), .text(familyID), .text(userID),
                .integer(issuedAt.millisecondsSinceEpoch), .integer(expiresAt.millisecondsSinceEpoch),
            ])
    }

    public func refreshToken(hash: [UInt8]) throws -> StoredRefreshToken? {
        try queryFirst(
            "SELECT id, family_id, user_id, issued_at, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = ?",
            [.blob(hash)], StoredRefreshToken.init(row:))
    }

    /// Marks a token used; false when another request rotated it first.
    public func markRefreshTokenRotated(id: String, at time: Timestamp) throws -> Bool {
        try run(
            "UPDATE refresh_tokens SET rotated_at = ? WHERE id = ? AND rotated_at IS NULL AND revoked_at IS NULL",
            [.integer(time.millisecondsSinceEpoch), .text(id)]) == 1
    }

    public func revokeRefreshFamily(_ familyID: String, at time: Timestamp) throws {
        try run(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
            [.integer(time.millisecondsSinceEpoch), .text(familyID)])
    }

    public func revokeRefreshTokens(userID: String, at time: Timestamp) throws {
        try run(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            [.integer(time.millisecondsSinceEpoch), .text(userID)])
    }

    public func denyAccessToken(jti: String, until expiresAt: Timestamp) throws {
        try run(
            "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)",
            [.text(jti), .integer(expiresAt.millisecondsSinceEpoch)])
    }

    /// Drops denylist entries that can no longer be presented successfully.
    public func purgeExpiredTokens(before time: Timestamp) throws {
        try run("DELETE FROM revoked_access_tokens WHERE expires_at < ?", [.integer(time.millisecondsSinceEpoch)])
    }

    /// By `refresh_tokens_expiry`, not a scan of every session's refreshes.
    static let purgeRefreshTokens = "DELETE FROM refresh_tokens WHERE rowid IN (SELECT rowid FROM refresh_tokens WHERE expires_at < ? LIMIT ?)"

    public func purgeExpiredRefreshTokens(before time: Timestamp, limit: Int) throws -> Int {
        try run(Self.purgeRefreshTokens, [.integer(time.millisecondsSinceEpoch), .integer(Int64(limit))])
    }
}
