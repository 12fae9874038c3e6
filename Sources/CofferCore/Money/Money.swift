/// Amount rules from API.md: request amounts are integers of minor units in 1...10^12.
public enum MoneyRules {
    public static let amountRange: ClosedRange<Int64> = 1...1_000_000_000_000
    public static let descriptionLengthMax = 500
}

/// Overflow-checked arithmetic for balances: a sum that does not fit is refused, never wrapped.
extension Int64 {
    public func addingChecked(_ other: Int64) -> Int64? {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? nil : sum
    }
}
