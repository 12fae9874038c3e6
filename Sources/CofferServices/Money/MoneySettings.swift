import CofferCore

public struct MoneySettings: Sendable {
    /// Withdrawals plus transfers out of one account per UTC day, in minor units.
    public var dailyOutflowLimit: Int64 = 5_000_000
    /// The largest balance a credit may produce (`COFFER_MAX_BALANCE`).
    public var maxBalance: Int64 = 1_000_000_000_000_000
    public var supportedCurrencies: [Currency] = ["USD", "EUR", "GBP"].compactMap(Currency.init(code:))
    public var cardsPerAccountMax = 5
    public var cardValidityYears = 3

    public init() {}
}
