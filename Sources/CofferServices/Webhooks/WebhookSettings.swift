/// How webhooks may reach out (API.md "Events and webhooks").
public struct WebhookSettings: Sendable {
    /// `COFFER_WEBHOOK_ALLOW_PRIVATE`: deliver to private, loopback and link-local addresses
    /// (development and tests); off, such URLs are refused when registered and when delivered.
    public var allowPrivateTargets = false
    /// `http://` URLs, allowed in development and tests only.
    public var allowPlainHTTP = false
    /// A delivery succeeds on a 2xx within this many seconds.
    public var timeoutSeconds = 10
    /// Attempts before a delivery is dead: about 30 s, 1 min, 2 min … apart.
    public static let attemptsMax = 8

    public init() {}
}
