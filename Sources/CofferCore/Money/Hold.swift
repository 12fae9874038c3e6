/// API.md "Holds": `expired` is never waited for; a pending hold past its expiry is expired from
/// that instant, whatever the stored status says until background work records it.
public enum HoldStatus: String, Sendable, CaseIterable { case pending, captured, voided, expired }

/// Money reserved on an account without moving it: it counts against the available balance
/// until captured (moved), voided or expired (released).
public struct Hold: Sendable, Equatable {
    public static let lifetimeSeconds: ClosedRange<Int64> = 60...2_592_000
    public static let defaultLifetimeSeconds: Int64 = 604_800

    public let id: String
    public let accountID: String
    public let cardID: String?
    public let amount: Int64
    public let capturedAmount: Int64
    public let currency: Currency
    /// As stored; `status(at:)` is what the API shows.
    public let storedStatus: HoldStatus
    public let description: String?
    public let metadata: Metadata
    public let expiresAt: Timestamp
    public let createdAt: Timestamp
    public let updatedAt: Timestamp

    public init(
        id: String, accountID: String, cardID: String?, amount: Int64, capturedAmount: Int64, currency: Currency,
        storedStatus: HoldStatus, description: String?, metadata: Metadata, expiresAt: Timestamp, createdAt: Timestamp,
        updatedAt: Timestamp
    ) {
        precondition(amount > 0 && (0...amount).contains(capturedAmount), "a hold captures at most its amount")
        self.id = id
        self.accountID = accountID
        self.cardID = cardID
        self.amount = amount
        self.capturedAmount = capturedAmount
        self.currency = currency
        self.storedStatus = storedStatus
        self.description = description
        self.metadata = metadata
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func status(at now: Timestamp) -> HoldStatus {
        storedStatus == .pending && expiresAt <= now ? .expired : storedStatus
    }

    /// Whether it still reserves money at `now`.
    public func isPending(at now: Timestamp) -> Bool { status(at: now) == .pending }

    /// The hold after it left `pending`.
    public func settled(_ status: HoldStatus, captured: Int64, at time: Timestamp) -> Hold {
        Hold(
            id: id, accountID: accountID, cardID: cardID, amount: amount, capturedAmount: captured, currency: currency,
            storedStatus: status, description: description, metadata: metadata, expiresAt: expiresAt, createdAt: createdAt,
            updatedAt: time)
    }
}
