import XCTest

@testable import CofferHTTP

final class RouterTests: XCTestCase {
    private func router() -> Router {
        var router = Router()
        let ok: Handler = { _ in Response(status: 200) }
        router.add(.get, "/v1/accounts", ok)
        router.add(.post, "/v1/accounts", ok)
        router.add(.get, "/v1/accounts/{id}", ok)
        router.add(.patch, "/v1/accounts/{id}", ok)
        router.add(.get, "/v1/health/live", ok)
        router.add(.get, "/v1/health/{check}", ok)
        return router
    }

    func testTemplatesBindParameters() {
        guard case let .found(route, parameters) = router().match(.get, "/v1/accounts/abc-123") else { return XCTFail() }
        XCTAssertEqual(route.template, "/v1/accounts/{id}")
        XCTAssertEqual(parameters, ["id": "abc-123"])
    }

    func testLiteralSegmentsOutrankParameters() {
        guard case let .found(route, _) = router().match(.get, "/v1/health/live") else { return XCTFail() }
        XCTAssertEqual(route.template, "/v1/health/live")
        guard case let .found(other, parameters) = router().match(.get, "/v1/health/db") else { return XCTFail() }
        XCTAssertEqual(other.template, "/v1/health/{check}")
        XCTAssertEqual(parameters["check"], "db")
    }

    /// Paths are compared only with templates of their own shape (segment count, second
    /// segment), and also with those whose second segment is a parameter: ranks still decide.
    func testTemplatesWithAParameterSecondAreComparedWithEveryShape() {
        var router = router()
        router.add(.get, "/v1/{collection}/special", { _ in Response(status: 200) })
        router.add(.get, "/{version}", { _ in Response(status: 200) })
        guard case let .found(literal, _) = router.match(.get, "/v1/accounts/special") else { return XCTFail() }
        XCTAssertEqual(literal.template, "/v1/accounts/{id}", "a literal second segment outranks a parameter")
        guard case let .found(open, parameters) = router.match(.get, "/v1/cards/special") else { return XCTFail() }
        XCTAssertEqual(open.template, "/v1/{collection}/special")
        XCTAssertEqual(parameters, ["collection": "cards"])
        guard case let .found(short, _) = router.match(.get, "/v2") else { return XCTFail() }
        XCTAssertEqual(short.template, "/{version}")
        guard case .notFound = router.match(.get, "/v1/cards/other") else { return XCTFail() }
    }

    func testUnknownPathsAreNotFound() {
        for path in ["/", "/v1", "/v1/accounts/a/b", "/v1/accounts/", "/v2/accounts", "/v1/accountsx"] {
            guard case .notFound = router().match(.get, path) else { return XCTFail(path) }
        }
    }

    func testWrongMethodListsAllowedMethodsIncludingHead() {
        guard case let .methodNotAllowed(allowed) = router().match(.delete, "/v1/accounts/1") else { return XCTFail() }
        XCTAssertEqual(allowed, [.get, .head, .patch])
    }

    func testHeadUsesTheGetRoute() {
        guard case let .found(route, _) = router().match(.head, "/v1/accounts") else { return XCTFail() }
        XCTAssertEqual(route.method, .get)
    }
}
