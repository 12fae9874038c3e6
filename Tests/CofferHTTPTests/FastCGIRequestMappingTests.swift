import CofferHTTP
import HTTPTypes
import XCTest

@testable import CofferFastCGI

/// FastCGI parameters as nginx (or anything that reaches the socket) sends them, mapped to a
/// `Request` whose method and header fields are swift-http-types' own.
final class FastCGIRequestMappingTests: XCTestCase {
    private func map(_ parameters: [String], body: [UInt8] = []) -> Request {
        FastCGIRequestMapping.request(parameters: parameters.map(\.utf8), bodyBytesMax: 16) { count in Array(body.prefix(count)) }
    }

    func testHeadersHostAndContentTypeAreMapped() {
        let request = map(
            [
                "REQUEST_METHOD=POST", "DOCUMENT_URI=/v1/transfers", "QUERY_STRING=a=1", "HTTP_HOST=bank.example",
                "HTTP_AUTHORIZATION=Bearer t", "HTTP_IDEMPOTENCY_KEY=k-1", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=2",
            ], body: Array("{}".utf8))
        XCTAssertEqual(request.method, .post)
        XCTAssertEqual(request.path, "/v1/transfers")
        XCTAssertEqual(request.authority, "bank.example")
        XCTAssertEqual(request.headerFields[.authorization], "Bearer t")
        XCTAssertEqual(request.headerFields[.idempotencyKey], "k-1")
        XCTAssertEqual(request.headerFields[.contentType], "application/json")
        XCTAssertNil(request.headerFields[HTTPField.Name("Host")!], "Host is the authority, not a header field")
        XCTAssertEqual(request.body, Array("{}".utf8))
    }

    func testAMethodThatIsNotATokenMatchesNoRoute() {
        XCTAssertEqual(map(["REQUEST_METHOD=GE T", "DOCUMENT_URI=/v1/health"]).method.rawValue, "UNPARSABLE")
        XCTAssertEqual(map(["DOCUMENT_URI=/v1/health"]).method, .get)
    }

    func testNamesThatAreNotTokensAreNotHeaderFields() {
        let request = map(["HTTP_X(Y)=1", "HTTP_=2", "HTTP_X_OK=3"])
        XCTAssertEqual(request.headerFields.count, 1)
        XCTAssertEqual(request.headerFields[HTTPField.Name("x-ok")!], "3")
    }

    /// `HTTPFields` traps past 65,535 fields; the mapping stops long before.
    func testTheNumberOfHeaderFieldsIsBounded() {
        let request = map((0..<70_000).map { "HTTP_X_\($0)=v" })
        XCTAssertEqual(request.headerFields.count, FastCGIRequestMapping.headerFieldsMax)
    }

    func testABodyOverTheLimitIsNotRead() {
        let request = map(["REQUEST_METHOD=POST", "CONTENT_LENGTH=17"], body: Array(repeating: 0x41, count: 17))
        XCTAssertEqual(request.body, [])
        XCTAssertEqual(request.declaredBodyBytes, 17)
    }
}
