import CofferCore
import XCTest

final class JSONParserTests: XCTestCase {
    func testParsesObjectsKeepingMemberOrderAndNumberLiterals() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": [true, null, "x\u00e9\n"], "c": -10.50e2}"#)
        guard case let .object(members) = value else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.0), ["b", "a", "c"])
        XCTAssertEqual(value["b"], .number("1"))
        XCTAssertEqual(value["a"], .array([.bool(true), .null, .string("xé\n")]))
        XCTAssertEqual(value["c"], .number("-10.50e2"))
    }

    func testRejectsMalformedDocuments() {
        let bad = [
            "", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":1} x", "01", "1.", "-", "tru", "\"\u{01}\"",
            "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\x\"", "{'a':1}", "NaN",
        ]
        for text in bad {
            XCTAssertThrowsError(try JSONParser.parse(text), "accepted \(text.debugDescription)")
        }
    }

    /// Small objects find a repeated name by scanning, large ones through a set: both refuse it,
    /// wherever it repeats, and accept as many distinct names as they are given.
    func testRejectsDuplicateNamesInSmallAndLargeObjects() throws {
        for count in [2, 15, 16, 17, 40] {
            let names = (0..<count).map { "\"k\($0)\":\($0)" }
            XCTAssertEqual(try JSONParser.parse("{" + names.joined(separator: ",") + "}")["k\(count - 1)"], .number("\(count - 1)"))
            for repeated in [0, count - 1] {
                let text = "{" + (names + ["\"k\(repeated)\":0"]).joined(separator: ",") + "}"
                XCTAssertThrowsError(try JSONParser.parse(text), "\(count) names, k\(repeated) twice")
            }
        }
    }

    func testRejectsInvalidUTF8AndOverlongForms() {
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC0, 0xAF, 0x22]))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]), "encoded surrogate")
        XCTAssertEqual(try JSONParser.parse([0x22, 0xF0, 0x9F, 0x92, 0xB0, 0x22]), .string("💰"))
    }

    func testRejectsNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertThrowsError(try JSONParser.parse(deep))
        let fine = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        XCTAssertNoThrow(try JSONParser.parse(fine))
    }

    func testSerializationRoundTripsAndEscapes() throws {
        let value: JSONValue = ["path": "/v1/a", "quote": "say \"hi\"\\", "ctl": "\u{01}\t", "n": 42, "list": [1, nil, false]]
        let text = value.serializedString
        XCTAssertEqual(text, #"{"path":"/v1/a","quote":"say \"hi\"\\","ctl":"\u0001\t","n":42,"list":[1,null,false]}"#)
        XCTAssertEqual(try JSONParser.parse(text), value)
    }
}
