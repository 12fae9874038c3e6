import CofferCore
import HTTPTypes
import Logging
import XCTest

@testable import CofferHTTP

/// The shared request pipeline, in-process: problems, request ids, error mapping, CORS.
final class ApplicationTests: XCTestCase {
    struct Boom: Error {}

    private func application(cors: [String] = [], _ configure: (inout Router) -> Void = { _ in }) -> Application {
        var router = Router()
        router.add(.get, "/v1/ok") { _ in .json(["fine": true]) }
        router.add(.get, "/v1/boom") { _ in throw Boom() }
        router.add(.post, "/v1/echo") { context in
            var fields = try RequestBody.fields(of: context.request)
            let name = fields.string("name")
            try fields.finish()
            return .json(["name": .string(name!)])
        }
        configure(&router)
        return Application(
            router: router, cors: CORSPolicy(allowedOrigins: cors, serverNames: ["bank.example", "127.0.0.1"]),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    private func json(_ response: Response) throws -> JSONValue { try JSONParser.parse(response.body) }

    func testEveryCatalogueCodeRendersAsAProblemWithEnvelope() throws {
        for code in ErrorCode.allCases {
            let app = application { router in router.add(.get, "/v1/fail") { _ in throw AppError(code, details: ["k": "v"]) } }
            let response = app.handle(Request(method: .get, path: "/v1/fail", upstreamRequestID: "rid-1"))
            XCTAssertEqual(response.status.code, code.entry.status, code.rawValue)
            // nginx copies the phrase into the status line; without one some clients refuse it.
            XCTAssertFalse(response.status.reasonPhrase.isEmpty, code.rawValue)
            XCTAssertEqual(response.headerFields[.contentType], "application/problem+json")
            let body = try json(response)
            XCTAssertEqual(body["type"], .string("/v1/problems/\(code.rawValue)"))
            XCTAssertEqual(body["title"], .string(code.entry.title))
            XCTAssertEqual(body["status"], .int(code.entry.status))
            XCTAssertEqual(body["detail"], .string(code.entry.defaultDetail))
            XCTAssertEqual(body["instance"], "/v1/fail")
            XCTAssertEqual(body["request_id"], "rid-1")
            XCTAssertEqual(body["error"]?["code"], .string(code.rawValue))
            XCTAssertEqual(body["error"]?["message"], .string(code.entry.defaultDetail))
            XCTAssertEqual(body["error"]?["details"], ["k": "v"])
        }
    }

    func testUnexpectedErrorIsInternalErrorAndTheAppKeepsServing() throws {
        let app = application()
        let failed = app.handle(Request(method: .get, path: "/v1/boom"))
        XCTAssertEqual(failed.status, 500)
        let body = try json(failed)
        XCTAssertEqual(body["error"]?["code"], "internal_error")
        XCTAssertFalse(failed.body.contains(Array("Boom".utf8)), "no internals in the body")
        XCTAssertEqual(app.handle(Request(method: .get, path: "/v1/ok")).status, 200)
    }

    func testRequestIDPrefersTheSaneClientHeaderThenUpstreamThenGenerates() {
        let app = application()
        let client = app.handle(Request(method: .get, path: "/v1/ok", headerFields: [.requestID: "mine-1"], upstreamRequestID: "ngx"))
        XCTAssertEqual(client.headerFields[.requestID], "mine-1")
        let upstream = app.handle(Request(method: .get, path: "/v1/ok", headerFields: [.requestID: "bad id"], upstreamRequestID: "ngx"))
        XCTAssertEqual(upstream.headerFields[.requestID], "ngx")
        let generated = app.handle(Request(method: .get, path: "/v1/ok"))
        XCTAssertEqual(generated.headerFields[.requestID]?.count, 32)
    }

    func testNotFoundAndMethodNotAllowedAreProblems() throws {
        let app = application()
        let missing = app.handle(Request(method: .get, path: "/v1/missing"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(try json(missing)["error"]?["code"], "not_found")
        let wrong = app.handle(Request(method: .put, path: "/v1/ok"))
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headerFields[.allow], "GET, HEAD")
    }

    func testJSONBodiesAreDecodedStrictly() throws {
        let app = application()
        func post(_ body: String, contentType: String? = "application/json", declared: Int? = nil) -> Response {
            var headerFields = HTTPFields()
            if let contentType { headerFields[.contentType] = contentType }
            return app.handle(
                Request(method: .post, path: "/v1/echo", headerFields: headerFields, body: Array(body.utf8), declaredBodyBytes: declared))
        }
        XCTAssertEqual(post(#"{"name":"ok"}"#).status, 200)
        XCTAssertEqual(post(#"{"name":"ok"}"#, contentType: "application/json; charset=utf-8").status, 200)
        XCTAssertEqual(try json(post(#"{"name":"ok"}"#, contentType: "text/plain"))["error"]?["code"], "unsupported_media_type")
        XCTAssertEqual(try json(post(#"{"name":"ok"}"#, contentType: nil))["error"]?["code"], "unsupported_media_type")
        // The media type in any ASCII case, blanks around it; nothing else that merely resembles it.
        XCTAssertEqual(post(#"{"name":"ok"}"#, contentType: " \tApplication/JSON \t;charset=utf-8").status, 200)
        for lookalike in ["application/jsonp", "application\u{0F}json", "applicatİon/json", "application/ json", "", ";application/json"] {
            XCTAssertEqual(try json(post(#"{"name":"ok"}"#, contentType: lookalike))["error"]?["code"], "unsupported_media_type", lookalike)
        }
        XCTAssertEqual(post("{\"name\":").status, 400)
        XCTAssertEqual(try json(post("{\"name\":"))["error"]?["code"], "invalid_json")
        XCTAssertEqual(try json(post("[1]"))["error"]?["code"], "invalid_json")
        XCTAssertEqual(post("{}", declared: 70_000).status, 413)
        let invalid = try json(post(#"{"name": 5, "nick": "x"}"#))
        XCTAssertEqual(invalid["error"]?["code"], "validation_failed")
        let fields = invalid["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
        XCTAssertEqual(fields, ["name", "nick"])
    }

    func testHeadAnswersWithoutABodyAndWithGETsLength() {
        let response = application().handle(Request(method: .head, path: "/v1/ok"))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.isEmpty)
        let get = application().handle(Request(method: .get, path: "/v1/ok"))
        XCTAssertFalse(get.body.isEmpty)
        XCTAssertEqual(response.headerFields[.contentLength], String(get.body.count))
    }

    func testForeignOriginsAreRefusedUnlessConfigured() throws {
        let closed = application()
        let refused = closed.handle(Request(method: .get, path: "/v1/ok", headerFields: [.origin: "https://evil.example"], authority: "bank.example"))
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(try json(refused)["error"]?["code"], "forbidden")
        let same = closed.handle(Request(method: .get, path: "/v1/ok", headerFields: [.origin: "https://bank.example"], authority: "bank.example"))
        XCTAssertEqual(same.status, 200)
        XCTAssertNil(same.headerFields[.accessControlAllowOrigin])
        let sameWithPort = closed.handle(
            Request(
                method: .post, path: "/v1/ok",
                headerFields: [.origin: "http://127.0.0.1:8080"], authority: "127.0.0.1:8080"))
        XCTAssertNotEqual(sameWithPort.status, 403)

        let open = application(cors: ["https://app.example"])
        let allowed = open.handle(Request(method: .get, path: "/v1/ok", headerFields: [.origin: "https://app.example"], authority: "api.example"))
        XCTAssertEqual(allowed.status, 200)
        XCTAssertEqual(allowed.headerFields[.accessControlAllowOrigin], "https://app.example")
        let preflight = open.handle(
            Request(
                method: .options, path: "/v1/ok",
                headerFields: [.origin: "https://app.example", .accessControlRequestMethod: "POST"], authority: "api.example"))
        XCTAssertEqual(preflight.status, 204)
        XCTAssertNotNil(preflight.headerFields[.accessControlAllowMethods])
    }

    /// DNS rebinding: a page on evil.example whose name now points at this machine sends a Host
    /// and an Origin that agree. Only the configured server names count as this site.
    func testAnOriginMatchingAnUnpinnedHostIsNotSameOrigin() throws {
        let rebound = application().handle(
            Request(
                method: .post, path: "/v1/ok",
                headerFields: [.origin: "http://evil.example:8080"], authority: "evil.example:8080"))
        XCTAssertEqual(rebound.status, 403)
        XCTAssertEqual(try json(rebound)["error"]?["code"], "forbidden")
    }

    func testEveryResponseForbidsCaching() {
        let app = application()
        for request in [
            Request(method: .get, path: "/v1/ok"), Request(method: .get, path: "/v1/nowhere"),
            Request(method: .delete, path: "/v1/ok"),
        ] {
            XCTAssertEqual(app.handle(request).headerFields[.cacheControl], "no-store", "\(request.method) \(request.path)")
        }
    }
}
