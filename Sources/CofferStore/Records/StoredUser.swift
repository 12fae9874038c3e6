import CofferCore

/// A user row with the columns that never leave the store and services (the password hash).
public struct StoredUser: Sendable {
    public let user: User
    public let passwordHash: String

    public init(user: User, passwordHash: String) {
        self.user = user
        self.passwordHash = passwordHash
    }
}
