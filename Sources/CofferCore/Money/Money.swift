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

    public func subtractingChecked(_ other: Int64) -> Int64? {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? nil : difference
    }
}

/// A sum computed in SQL as two sums that cannot overflow: of each value divided by 10^9
/// (truncated) and of each remainder. Values up to 10^12 keep both parts far from 64 bits for
/// billions of rows; joining them back is checked.
public enum ExactSum {
    public static let scale: Int64 = 1_000_000_000

    public static func join(high: Int64, low: Int64) -> Int64? {
        let (scaled, overflow) = high.multipliedReportingOverflow(by: scale)
        return overflow ? nil : scaled.addingChecked(low)
    }

    /// The exact total, for sums that may leave 64 bits (bank-wide aggregates).
    public static func wide(high: Int64, low: Int64) -> Int128 {
        Int128(high) * Int128(scale) + Int128(low)
    }
}
