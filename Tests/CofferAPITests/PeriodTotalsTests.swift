import CofferCore
import XCTest

@testable import CofferServices

/// API.md "Arithmetic limits": an export's period totals are checked sums, so a period whose lines
/// add up past 64 bits fails its export instead of trapping the process.
final class PeriodTotalsTests: XCTestCase {
    private func line(_ type: TransactionType, _ amount: Int64) -> LedgerTransaction {
        LedgerTransaction(
            id: Identifier.make(at: Timestamp(millisecondsSinceEpoch: 0)), accountID: "a", type: type, amount: amount,
            currency: Currency(code: "USD")!, balanceAfter: 0, description: nil, transferID: nil, createdAt: Timestamp(millisecondsSinceEpoch: 0))
    }

    func testSumsPastSixtyFourBitsAreAnErrorAndTheClosingBalanceIsExact() throws {
        var totals = PeriodTotals(start: CivilDate(daysSinceEpoch: 0), opening: 1_000)
        try totals.add(line(.deposit, Int64.max - 10))
        try totals.add(line(.withdrawal, Int64.max - 500))
        XCTAssertEqual(totals.closing, 1_000 + 490, "credits and debits cancel before the opening balance is added")
        XCTAssertThrowsError(try totals.add(line(.transferIn, 11))) { XCTAssertTrue($0 is PeriodTotals.Overflow) }
        XCTAssertThrowsError(try totals.add(line(.transferOut, 501))) { XCTAssertTrue($0 is PeriodTotals.Overflow) }
        XCTAssertEqual(totals.count, 2, "a refused line is not counted")
        try totals.add(line(.transferIn, 10))
        XCTAssertEqual(totals.credits, Int64.max)
    }
}
