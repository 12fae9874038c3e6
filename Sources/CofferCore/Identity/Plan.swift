/// A user's subscription (API.md "Plans"): it sets the limits on every account the user owns.
public enum Plan: String, Sendable, CaseIterable {
    case standard, premium, business
}

/// What one plan allows, per account.
public struct PlanLimits: Sendable, Equatable {
    /// Withdrawals plus transfers out (and new holds) per UTC day, in minor units.
    public var dailyOutflow: Int64
    /// Cards that are not cancelled.
    public var cardsPerAccount: Int
    /// Holds that are pending and not yet expired.
    public var pendingHoldsPerAccount: Int

    public init(dailyOutflow: Int64, cardsPerAccount: Int, pendingHoldsPerAccount: Int) {
        precondition(dailyOutflow > 0 && cardsPerAccount > 0 && pendingHoldsPerAccount > 0, "limits are validated at start")
        self.dailyOutflow = dailyOutflow
        self.cardsPerAccount = cardsPerAccount
        self.pendingHoldsPerAccount = pendingHoldsPerAccount
    }
}

/// The limits of every plan, as configured at start. Read for each request against the owner's
/// current plan, so a grant or revoke applies to the very next request.
public struct PlanCatalogue: Sendable, Equatable {
    public var standard = PlanLimits(dailyOutflow: 5_000_000, cardsPerAccount: 5, pendingHoldsPerAccount: 100)
    public var premium = PlanLimits(dailyOutflow: 25_000_000, cardsPerAccount: 10, pendingHoldsPerAccount: 500)
    public var business = PlanLimits(dailyOutflow: 100_000_000, cardsPerAccount: 50, pendingHoldsPerAccount: 5_000)

    public init() {}

    public subscript(plan: Plan) -> PlanLimits {
        get {
            switch plan {
            case .standard: standard
            case .premium: premium
            case .business: business
            }
        }
        set {
            switch plan {
            case .standard: standard = newValue
            case .premium: premium = newValue
            case .business: business = newValue
            }
        }
    }
}
