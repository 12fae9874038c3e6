import CofferCore
import CofferStore

extension PostgresSession {
    /// One statement instead of three on the path of every authenticated request.
    public func tokenStanding(jti: String, familyID: String, userID: String) throws -> TokenStanding {
        let standing = try queryFirst(
            """
            SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1),
                   EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $2 AND revoked_at IS NOT NULL),
                   u.id, u.email, u.role, u.status, u.created_at
            FROM (SELECT 1) AS one LEFT JOIN users u ON u.id = $3
            """, [.text(jti), .text(familyID), .text(userID)]
        ) { row -> TokenStanding in
            var user: User?
            if let id = row.optionalText(2) {
                guard let role = Role(rawValue: row.text(4)), let status = UserStatus(rawValue: row.text(5)) else {
                    preconditionFailure("users row with unknown role or status")
                }
                user = User(id: id, email: row.text(3), role: role, status: status, createdAt: Timestamp(millisecondsSinceEpoch: row.int64(6)))
            }
            return TokenStanding(user: user, isDenied: row.bool(0), isSessionEnded: row.bool(1))
        }
        guard let standing else { preconditionFailure("a select from one row always answers one row") }
        return standing
    }

    public func insertRefreshToken(id: String, hash: [UInt8], familyID: String, userID: String, issuedAt: Timestamp, expiresAt: Timestamp) throws {
        try run(
            "INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                .text(id), .bytes(hash), .text(familyID), .text(userID),
                .integer(issuedAt.millisecondsSinceEpoch), .integer(expiresAt.millisecondsSinceEpoch),
            ])
    }

    public func refreshToken(hash: [UInt8]) throws -> StoredRefreshToken? {
        try queryFirst(
            "SELECT id, family_id, user_id, issued_at, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
            [.bytes(hash)], StoredRefreshToken.init(row:))
    }

    /// Marks a token used; false when another request rotated it first (the row lock makes the
    /// second of two concurrent rotations wait and then see `rotated_at` set).
    public func markRefreshTokenRotated(id: String, at time: Timestamp) throws -> Bool {
        try run(
            "UPDATE refresh_tokens SET rotated_at = $1 WHERE id = $2 AND rotated_at IS NULL AND revoked_at IS NULL",
            [.integer(time.millisecondsSinceEpoch), .text(id)]) == 1
    }

    public func revokeRefreshFamily(_ familyID: String, at time: Timestamp) throws {
        try run(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
            [.integer(time.millisecondsSinceEpoch), .text(familyID)])
    }

    public func revokeRefreshTokens(userID: String, at time: Timestamp) throws {
        try run(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            [.integer(time.millisecondsSinceEpoch), .text(userID)])
    }

    public func denyAccessToken(jti: String, until expiresAt: Timestamp) throws {
        try run(
            "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
            [.text(jti), .integer(expiresAt.millisecondsSinceEpoch)])
    }

    /// Drops denylist entries that can no longer be presented successfully.
    public func purgeExpiredTokens(before time: Timestamp) throws {
        try run("DELETE FROM revoked_access_tokens WHERE expires_at < $1", [.integer(time.millisecondsSinceEpoch)])
    }

    public func purgeExpiredRefreshTokens(before time: Timestamp, limit: Int) throws -> Int {
        try run(
            "DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
            [.integer(time.millisecondsSinceEpoch), .integer(Int64(limit))])
    }
}
