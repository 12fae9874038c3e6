/// A failed store operation, folded into the few kinds callers act on, whatever the backend.
/// `detail` (the statement text, the backend's own code) is for logs; it never reaches a
/// response body.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Another writer holds a lock past the timeout: retry later.
        case busy
        /// The database cannot be reached, opened or written: a temporary outage.
        case unavailable
        /// A CHECK, UNIQUE, FOREIGN KEY or NOT NULL constraint refused the change.
        case constraint
        case other
    }

    public let kind: Kind
    public let message: String
    public let detail: String?

    public init(_ kind: Kind, _ message: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    /// Busy and unavailable pass; retrying the same request later may succeed.
    public var isTemporary: Bool { kind == .busy || kind == .unavailable }

    public var description: String {
        message + (detail.map { " [\($0)]" } ?? "")
    }
}
