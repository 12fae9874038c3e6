import CofferCrypto

/// The knobs of authentication; defaults are the values API.md and SECURITY.md promise.
public struct AuthSettings: Sendable {
    public var issuer = "coffer"
    public var audience = "coffer-api"
    public var accessTokenSeconds: Int64 = 900
    public var refreshTokenSeconds: Int64 = 604_800
    public var lockoutThreshold = 5
    public var lockoutWindowSeconds: Int64 = 900
    /// Tolerated clock skew when checking `exp` and `iat`.
    public var leewaySeconds: Int64 = 30
    public var passwordHashing = PasswordHasher.Parameters()

    public init() {}
}
