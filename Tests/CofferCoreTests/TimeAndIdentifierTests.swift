import Foundation
import Synchronization
import XCTest

@testable import CofferCore

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

    /// RFC 9562's counter: IDs of one millisecond, made one after another, sort in the order they
    /// were made (their random bits alone would not), so an index on them appends at its end.
    func testIdentifiersOfOneMillisecondSortInTheOrderTheyWereMade() {
        let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)
        let ids = (0..<2000).map { _ in Identifier.make(at: time) }
        XCTAssertEqual(Set(ids).count, ids.count)
        // The counter starts below 2,048 and runs out at 4,096, so 2,000 IDs fit. Random bits
        // there would put about every other pair out of order; a pair or two is left for an ID
        // another test's thread might make meanwhile, which starts the sequence again.
        let breaks = zip(ids, ids.dropFirst()).filter { $0 >= $1 }.count
        XCTAssertLessThanOrEqual(breaks, 2)
        XCTAssertTrue(ids.allSatisfy { Identifier.isWellFormed($0) && Array($0)[14] == "7" })
    }

    func testTheCounterStartsAgainAtRandomWheneverTheMillisecondChanges() {
        let millis: UInt64 = 1_795_000_000_123
        XCTAssertEqual(Identifier.counter(millis: millis, start: 100), 100)
        XCTAssertEqual(Identifier.counter(millis: millis, start: 7), 101)
        XCTAssertEqual(Identifier.counter(millis: millis, start: 7), 102)
        // Another millisecond, earlier or later, starts at its own random value.
        XCTAssertEqual(Identifier.counter(millis: millis - 1, start: 5), 5)
        XCTAssertEqual(Identifier.counter(millis: millis - 1, start: 9), 6)
        XCTAssertEqual(Identifier.counter(millis: millis + 1, start: 2047), 2047)
        // Run out (4,095 is the last counter): a random start again.
        for expected in 2048...4095 { XCTAssertEqual(Identifier.counter(millis: millis + 1, start: 0), UInt16(expected)) }
        XCTAssertEqual(Identifier.counter(millis: millis + 1, start: 9), 9)
        XCTAssertEqual(Identifier.counter(millis: millis + 1, start: 9), 10)
    }

    /// The pooled kernel randomness behind identifiers: threads drawing at once across many refills
    /// never see a value twice, and every bit is set about half the time.
    func testPooledRandomnessNeverRepeatsAcrossThreadsAndRefills() {
        let perThread = 4096
        let collected = Mutex<[UInt64]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var random = KernelRandom()
            let mine = (0..<perThread).map { _ in random.next() }
            collected.withLock { $0 += mine }
        }
        let draws = collected.withLock { $0 }
        XCTAssertEqual(draws.count, 4 * perThread)
        XCTAssertEqual(Set(draws).count, draws.count, "4 × 4096 draws span 32 refills of the 4 KiB pool")
        for bit in 0..<64 {
            let set = draws.filter { $0 & (1 << UInt64(bit)) != 0 }.count
            XCTAssertTrue((draws.count * 45 / 100...draws.count * 55 / 100).contains(set), "bit \(bit) set \(set) times")
        }
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

    /// The byte-level decimal agrees with arithmetic on every edge: zero, amounts below one unit,
    /// whole units, both signs, and the extremes of Int64.
    func testDecimalsInMajorUnitsAtTheEdges() {
        let usd = Currency(code: "USD")!
        let jpy = Currency(code: "JPY")!
        let cases: [(Int64, String, String)] = [
            (0, "0.00", "0"), (5, "0.05", "5"), (-5, "-0.05", "-5"), (50, "0.50", "50"), (100, "1.00", "100"),
            (-100, "-1.00", "-100"), (123_456, "1234.56", "123456"),
            (Int64.max, "92233720368547758.07", "9223372036854775807"),
            (Int64.min, "-92233720368547758.08", "-9223372036854775808"),
        ]
        for (minor, dollars, yen) in cases {
            XCTAssertEqual(usd.decimal(minor), dollars)
            XCTAssertEqual(jpy.decimal(minor), yen)
            XCTAssertEqual(usd.minorUnits(fromDecimal: usd.decimal(minor).replacingOccurrences(of: "-", with: "")), minor == Int64.min ? nil : abs(minor))
        }
        var line = Array("a,".utf8)
        usd.appendDecimal(-7, to: &line)
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "a,-0.07")
    }

    /// RFC 4180 quoting decided on bytes: a comma or quote that a combining mark joins into one
    /// `Character` still splits a spreadsheet's columns, so it is quoted like any other.
    func testCSVCellsAreQuotedByTheirBytes() {
        XCTAssertEqual(CSVField.escaped("rent"), "rent")
        XCTAssertEqual(CSVField.escaped("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVField.escaped("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSVField.escaped("x,\u{301}y"), "\"x,\u{301}y\"")
        XCTAssertEqual(CSVField.escaped("\"\u{301}"), "\"\"\"\u{301}\"")
        XCTAssertEqual(CSVField.escaped("=1,2"), "\"'=1,2\"")
        XCTAssertEqual(CSVField.escaped("+1"), "'+1")
        XCTAssertEqual(CSVField.escaped(" =1"), " =1")
        XCTAssertEqual(CSVField.escaped("é=1"), "é=1")
        XCTAssertEqual(CSVField.escaped(""), "")
        var out: [UInt8] = []
        CSVField.append("-2", to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "'-2")
    }

    func testRFC3339DateTimesParseToTheMillisecondAndNothingElseDoes() {
        let midnight = Timestamp(millisecondsSinceEpoch: 1_761_955_200_000)  // 2025-11-01T00:00:00Z
        XCTAssertEqual(Timestamp(rfc3339: "2025-11-01T00:00:00Z"), midnight)
        XCTAssertEqual(Timestamp(rfc3339: "2025-11-01t00:00:00z"), midnight)
        XCTAssertEqual(Timestamp(rfc3339: "2025-11-01T01:30:00+01:30"), midnight)
        XCTAssertEqual(Timestamp(rfc3339: "2025-10-31T22:00:00-02:00"), midnight)
        XCTAssertEqual(Timestamp(rfc3339: "2025-11-01T00:00:00.5Z")?.millisecondsSinceEpoch, midnight.millisecondsSinceEpoch + 500)
        XCTAssertEqual(Timestamp(rfc3339: "2025-11-01T00:00:00.123456789Z")?.millisecondsSinceEpoch, midnight.millisecondsSinceEpoch + 123)
        let now = Timestamp(millisecondsSinceEpoch: 1_780_000_123_456)
        XCTAssertEqual(Timestamp(rfc3339: now.rfc3339), now, "what the API writes, it reads")
        for bad in [
            "", "2025-11-01", "2025-11-01T00:00:00", "2025-11-01 00:00:00Z", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
            "2025-11-01T24:00:00Z", "2025-11-01T00:60:00Z", "2025-11-01T00:00:60Z", "2025-11-01T00:00:00.Z",
            "2025-11-01T00:00:00.1234567890Z", "2025-11-01T00:00:00+0100", "2025-11-01T00:00:00+24:00", "2025-11-01T00:00:00Zjunk",
            "0000-01-01T00:00:00Z", "+2025-11-01T00:00:00Z", "2025-11-01T0a:00:00Z", "２０２５-11-01T00:00:00Z",
        ] {
            XCTAssertNil(Timestamp(rfc3339: bad), bad)
        }
    }
}
