import CofferCore

public struct MoneySettings: Sendable {
    /// The limits of each plan; an account follows its owner's plan.
    public var plans = PlanCatalogue()
    /// The largest balance a credit may produce (`COFFER_MAX_BALANCE`).
    public var maxBalance: Int64 = 1_000_000_000_000_000
    public var supportedCurrencies: [Currency] = ["USD", "EUR", "GBP"].compactMap(Currency.init(code:))
    public var cardValidityYears = 3

    public init() {}
}
