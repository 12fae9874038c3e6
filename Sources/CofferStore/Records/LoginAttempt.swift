import CofferCore

/// A password attempt counted against an email's lockout: `pending` while its Argon2id check
/// runs, a failure once that check failed (a right password removes its attempt instead). Pending
/// attempts cap how many guesses may run at once; only failures lock the email (API.md).
public struct LoginAttempt: Sendable, Equatable {
    public let at: Timestamp
    public let pending: Bool

    public init(at: Timestamp, pending: Bool) {
        self.at = at
        self.pending = pending
    }
}
