/// What a user may do. `support` reads everything; `admin` may also change things.
public enum Role: String, Sendable, CaseIterable {
    case user, support, admin

    /// May read any customer's resources.
    public var seesEverything: Bool { self != .user }
}

public enum UserStatus: String, Sendable, CaseIterable {
    case active, suspended
}

public struct User: Sendable, Equatable {
    public let id: String
    public let email: String
    public let role: Role
    public let status: UserStatus
    public let plan: Plan
    public let createdAt: Timestamp

    public init(id: String, email: String, role: Role, status: UserStatus, plan: Plan = .standard, createdAt: Timestamp) {
        self.id = id
        self.email = email
        self.role = role
        self.status = status
        self.plan = plan
        self.createdAt = createdAt
    }

    public func with(role: Role? = nil, status: UserStatus? = nil, plan: Plan? = nil) -> User {
        User(id: id, email: email, role: role ?? self.role, status: status ?? self.status, plan: plan ?? self.plan, createdAt: createdAt)
    }
}

public struct AccountHolder: Sendable, Equatable {
    public let id: String
    public let userID: String
    public let firstName: String
    public let lastName: String
    public let dateOfBirth: CivilDate
    public let createdAt: Timestamp

    public init(id: String, userID: String, firstName: String, lastName: String, dateOfBirth: CivilDate, createdAt: Timestamp) {
        self.id = id
        self.userID = userID
        self.firstName = firstName
        self.lastName = lastName
        self.dateOfBirth = dateOfBirth
        self.createdAt = createdAt
    }
}

/// The authenticated caller of a request, as checked against the database on every request.
public struct Principal: Sendable, Equatable {
    public let userID: String
    public let role: Role
    public let tokenID: String
    public let tokenExpiresAt: Timestamp

    public init(userID: String, role: Role, tokenID: String, tokenExpiresAt: Timestamp) {
        self.userID = userID
        self.role = role
        self.tokenID = tokenID
        self.tokenExpiresAt = tokenExpiresAt
    }
}
