import CofferCore
import XCTest

final class FieldReaderTests: XCTestCase {
    private func reader(_ json: String) throws -> FieldReader {
        try FieldReader(JSONParser.parse(json))
    }

    private func fields(of error: AppError) -> [String] {
        (error.details["fields"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
    }

    func testEveryBadFieldAndEveryUnknownFieldIsListed() throws {
        var fields = try reader(#"{"amount": 10.5, "type": "loan", "extra": 1, "typo_name": "x"}"#)
        _ = fields.integer("amount", in: 1...1_000_000_000_000)
        _ = fields.choice("type", of: ["deposit", "withdrawal"])
        _ = fields.string("account_id")
        do {
            try fields.finish()
            XCTFail("finish() accepted invalid input")
        } catch {
            XCTAssertEqual(error.code, .validationFailed)
            XCTAssertEqual(self.fields(of: error), ["amount", "type", "account_id", "extra", "typo_name"])
        }
    }

    func testIntegersMustBePlainLiteralsInRange() throws {
        let cases: [(String, Bool)] = [
            ("1", true), ("1000000000000", true), ("0", false), ("-5", false), ("10.0", false),
            ("1e3", false), ("\"10\"", false), ("1000000000001", false), ("99999999999999999999", false),
        ]
        for (literal, valid) in cases {
            var fields = try reader(#"{"amount": \#(literal)}"#)
            let value = fields.integer("amount", in: 1...1_000_000_000_000)
            XCTAssertEqual(value != nil, valid, literal)
            XCTAssertEqual(fields.errors.isEmpty, valid, literal)
        }
    }

    func testNonObjectBodiesAreInvalidJSON() {
        for text in ["[]", "1", "\"x\"", "null"] {
            XCTAssertThrowsError(try reader(text), text) { error in
                XCTAssertEqual((error as? AppError)?.code, .invalidJSON)
            }
        }
    }

    func testOptionalFieldsMayBeAbsentOrNull() throws {
        var fields = try reader(#"{"description": null}"#)
        XCTAssertNil(fields.string("description", required: false))
        XCTAssertNil(fields.string("currency", required: false))
        XCTAssertNoThrow(try fields.finish())
    }
}
