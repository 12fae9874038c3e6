import HTTPTypes
import XCTest

@testable import CofferHTTP

/// `HTTPFields.value(_:)` answers what the subscript answers, for every count of fields.
final class HeaderValueTests: XCTestCase {
    func testNoFieldOneFieldAndSeveralAnswerAsTheSubscriptDoes() {
        var fields: HTTPFields = [.contentType: "application/json", .accept: "text/csv"]
        XCTAssertNil(fields.value(.authorization))
        XCTAssertEqual(fields.value(.contentType), "application/json")
        XCTAssertEqual(fields.value(.contentType), fields[.contentType])

        // Two fields of one name, apart: joined in order, as the subscript joins them.
        fields.append(HTTPField(name: .authorization, value: "Bearer a"))
        fields.append(HTTPField(name: .userAgent, value: "test"))
        fields.append(HTTPField(name: .authorization, value: "Bearer b"))
        XCTAssertEqual(fields.value(.authorization), "Bearer a, Bearer b")
        XCTAssertEqual(fields.value(.authorization), fields[.authorization])

        // Names compare case-insensitively, as HTTP field names do.
        let lower = HTTPField.Name("idempotency-key")!
        fields.append(HTTPField(name: lower, value: "k1"))
        XCTAssertEqual(fields.value(.idempotencyKey), "k1")

        // An empty value is a value, not an absent field.
        fields.append(HTTPField(name: .origin, value: ""))
        XCTAssertEqual(fields.value(.origin), "")
    }
}
