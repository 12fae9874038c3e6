import CofferCore
import CofferHTTP
import CofferSQLite
import Foundation
import Logging
import XCTest

@testable import CofferAPI

/// The whole app in-process against a real temporary SQLite file: no socket, no nginx.
class MetadataTests: APITestCase {
    var app: Application { t.app }

    private func get(_ path: String) throws -> (Response, JSONValue) {
        let response = app.handle(Request(method: .get, path: path))
        return (response, try JSONParser.parse(response.body))
    }

    func testHealthReportsTheDatabase() throws {
        let (response, body) = try get("/v1/health")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(body["status"], "ok")
        XCTAssertEqual(body["checks"]?["database"], "ok")
        XCTAssertEqual(body["version"], .string(CofferVersion.current))
    }

    func testProblemRegistryListsTheWholeCatalogue() throws {
        let (_, body) = try get("/v1/problems")
        let codes = body["data"]?.arrayValue?.compactMap { $0["code"]?.stringValue }
        XCTAssertEqual(codes, ErrorCode.allCases.map(\.rawValue))
        let (one, entry) = try get("/v1/problems/account_locked")
        XCTAssertEqual(one.status, 200)
        XCTAssertEqual(entry, ["code": "account_locked", "status": 423, "title": "Account locked", "retryable": true])
        let (missing, problem) = try get("/v1/problems/no_such_code")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(problem["error"]?["code"], "not_found")
    }

    /// Every route the router knows is in openapi.json, and every operation there is routed.
    func testOpenAPIDocumentsExactlyTheRoutedOperations() throws {
        let (_, document) = try get("/v1/openapi.json")
        XCTAssertEqual(document["openapi"], "3.1.0")
        guard case let .object(paths)? = document["paths"] else { return XCTFail("no paths") }
        var documented = Set<String>()
        for (path, item) in paths {
            guard case let .object(operations) = item else { continue }
            for (method, _) in operations { documented.insert("\(method.uppercased()) \(path)") }
        }
        let routed = Set(app.router.routes.map { "\($0.method) \($0.template)" })
        XCTAssertEqual(routed.subtracting(documented), [], "routed but not documented")
        XCTAssertEqual(documented.subtracting(routed), [], "documented but not routed")
    }

    /// Every operation sits under exactly one declared tag and declares the errors any request can
    /// meet (rate limit, internal error, unavailable; bad, too large or non-JSON bodies), so a
    /// generated client can parse them.
    func testEveryOperationDeclaresItsErrorsAndATag() throws {
        let (_, document) = try get("/v1/openapi.json")
        let declaredTags = Set(document["tags"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        XCTAssertFalse(declaredTags.isEmpty, "no top-level tags")
        guard case let .object(paths)? = document["paths"] else { return XCTFail("no paths") }
        for (path, item) in paths {
            guard case let .object(operations) = item else { continue }
            for (method, operation) in operations {
                let name = "\(method.uppercased()) \(path)"
                let tags = operation["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
                XCTAssertEqual(tags.count, 1, "\(name) needs exactly one tag")
                for tag in tags { XCTAssertTrue(declaredTags.contains(tag), "\(name): tag \(tag) is not in the top-level tags") }
                guard case let .object(responses)? = operation["responses"] else {
                    XCTFail("\(name) has no responses")
                    continue
                }
                var required: Set<String> = ["429", "500", "503"]
                if operation["requestBody"] != nil { required.formUnion(["400", "413", "415"]) }
                let declared = Set(responses.map { $0.0 })
                XCTAssertEqual(required.subtracting(declared), [], "\(name) does not declare these responses")
            }
        }
    }
}
