import CofferCore

/// What login and refresh answer: a fresh access token and a fresh refresh token.
public struct Session: Sendable {
    public let accessToken: String
    public let accessExpiresInSeconds: Int64
    public let refreshToken: String
    public let refreshExpiresInSeconds: Int64
    public let user: User
}

/// The validated input of a signup.
public struct SignupInput: Sendable {
    public let email: String
    public let password: String
    public let firstName: String
    public let lastName: String
    public let dateOfBirth: CivilDate

    public init(email: String, password: String, firstName: String, lastName: String, dateOfBirth: CivilDate) {
        self.email = email
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
        self.dateOfBirth = dateOfBirth
    }
}
