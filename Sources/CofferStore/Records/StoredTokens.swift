import CofferCore

/// A refresh token as stored: only the SHA-256 of the token, never the token itself.
public struct StoredRefreshToken: Sendable {
    public let id: String
    public let familyID: String
    public let userID: String
    public let issuedAt: Timestamp
    public let expiresAt: Timestamp
    public let rotatedAt: Timestamp?
    public let revokedAt: Timestamp?

    public init(
        id: String, familyID: String, userID: String, issuedAt: Timestamp, expiresAt: Timestamp, rotatedAt: Timestamp?,
        revokedAt: Timestamp?
    ) {
        self.id = id
        self.familyID = familyID
        self.userID = userID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.rotatedAt = rotatedAt
        self.revokedAt = revokedAt
    }
}

/// What an access token needs checked on every request, read in one query.
public struct TokenStanding: Sendable {
    /// The token's user, if it still exists.
    public let user: User?
    /// Denied at logout.
    public let isDenied: Bool
    /// Its login (refresh family) has ended: logout, reuse detection, password change, suspension.
    public let isSessionEnded: Bool

    public init(user: User?, isDenied: Bool, isSessionEnded: Bool) {
        self.user = user
        self.isDenied = isDenied
        self.isSessionEnded = isSessionEnded
    }
}
