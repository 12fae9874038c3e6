import CofferCore
import XCTest

final class TimeAndIdentifierTests: XCTestCase {
    func testTimestampsAreRFC3339UTCWithMilliseconds() {
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 0).rfc3339, "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 1_795_386_642_123).rfc3339, "2026-11-22T22:30:42.123Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: -1).rfc3339, "1969-12-31T23:59:59.999Z")
    }

    func testCivilDatesParseOnlyRealDays() {
        XCTAssertEqual(CivilDate(iso8601: "2024-02-29")?.iso8601, "2024-02-29")
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-01-01T00", "", "２０２４-01-01"] {
            XCTAssertNil(CivilDate(iso8601: bad), bad)
        }
        let date = CivilDate(iso8601: "2026-11-22")!
        XCTAssertEqual(CivilDate(daysSinceEpoch: date.daysSinceEpoch), date)
        XCTAssertEqual(CivilDate(daysSinceEpoch: 0).iso8601, "1970-01-01")
    }

    func testIdentifiersAreUUIDv7AndSortByTime() {
        let first = Identifier.make(at: Timestamp(millisecondsSinceEpoch: 1_000))
        let second = Identifier.make(at: Timestamp(millisecondsSinceEpoch: 2_000))
        XCTAssertTrue(Identifier.isWellFormed(first))
        XCTAssertEqual(Array(first)[14], "7")
        XCTAssertLessThan(first, second)
        XCTAssertNotEqual(Identifier.make(), Identifier.make())
        XCTAssertFalse(Identifier.isWellFormed("1"))
        XCTAssertFalse(Identifier.isWellFormed(first.uppercased()))
    }
}

final class CurrencyTests: XCTestCase {
    func testDecimalsConvertExactlyBothWays() throws {
        let usd = try XCTUnwrap(Currency(code: "USD"))
        XCTAssertEqual(usd.minorUnits(fromDecimal: "10"), 1000)
        XCTAssertEqual(usd.minorUnits(fromDecimal: "10.5"), 1050)
        XCTAssertEqual(usd.minorUnits(fromDecimal: "0.05"), 5)
        XCTAssertEqual(usd.minorUnits(fromDecimal: ".5"), 50)
        XCTAssertEqual(usd.minorUnits(fromDecimal: "0.1")! + usd.minorUnits(fromDecimal: "0.2")!, 30)
        for bad in ["", ".", "1.234", "-1", "1e3", "abc", "1.2.3", "99999999999999999999"] {
            XCTAssertNil(usd.minorUnits(fromDecimal: bad), bad)
        }
        XCTAssertEqual(usd.decimal(1050), "10.50")
        XCTAssertEqual(usd.decimal(-5), "-0.05")
        XCTAssertEqual(Currency(code: "JPY")?.decimal(1500), "1500")
        XCTAssertNil(Currency(code: "XYZ"))
    }
}
