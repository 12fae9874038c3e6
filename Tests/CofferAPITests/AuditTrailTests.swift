import CofferCore
import CofferSQLite
import XCTest

class AuditTrailTests: APITestCase {
    override func tearDown() { t = nil }

    func testEachAuditedActionWritesARowWithItsOrigin() throws {
        let user = t.member()
        _ = t.post("/v1/auth/login", ["email": .string(user.email), "password": "wrong wrong wrong"])
        let admin = try t.member(role: .admin)
        _ = t.send(.patch, "/v1/admin/users/\(user.userID)", body: ["role": "support"], token: admin.accessToken)
        _ = t.post("/v1/auth/logout", ["refresh_token": .string(user.refreshToken)])

        let page = t.get("/v1/admin/audit-events?limit=100", token: admin.accessToken)
        let events = try XCTUnwrap(page["data"]?.arrayValue)
        let actions = events.compactMap { $0["action"]?.stringValue }
        for action in ["auth.signup", "auth.login", "admin.user_update", "auth.logout"] {
            XCTAssertTrue(actions.contains(action), action)
        }
        let failure = try XCTUnwrap(events.first { $0["action"] == "auth.login" && $0["outcome"] == "failure" })
        XCTAssertEqual(failure["reason"], "wrong_password")
        XCTAssertEqual(failure["actor_id"], .string(user.userID))
        XCTAssertEqual(failure["ip"], "127.0.0.9")
        XCTAssertNotNil(failure["request_id"]?.stringValue)
        XCTAssertEqual(events.first?["action"], "auth.logout", "newest first")
        let update = try XCTUnwrap(events.first { $0["action"] == "admin.user_update" })
        XCTAssertEqual(update["actor_id"], .string(admin.userID))
        XCTAssertEqual(update["target_id"], .string(user.userID))
    }

    func testFiltersAndCursorPagingAreStableUnderNewEvents() throws {
        let admin = try t.member(role: .admin)
        for _ in 0..<4 { _ = t.member() }
        let first = t.get("/v1/admin/audit-events?action=auth.signup&limit=2", token: admin.accessToken)
        XCTAssertEqual(first["pagination"]?["total"], 5)
        let cursor = try XCTUnwrap(first["pagination"]?["next_cursor"]?.stringValue)
        _ = t.member()  // a newer event must not shift the next page
        let second = t.get("/v1/admin/audit-events?action=auth.signup&limit=2&cursor=\(cursor)", token: admin.accessToken)
        let firstIDs = first["data"]!.arrayValue!.map { $0["id"]! }
        let secondIDs = second["data"]!.arrayValue!.map { $0["id"]! }
        XCTAssertEqual(secondIDs.count, 2)
        XCTAssertTrue(Set(firstIDs.map(\.serializedString)).isDisjoint(with: secondIDs.map(\.serializedString)))
        let outcome = t.get("/v1/admin/audit-events?outcome=failure", token: admin.accessToken)
        XCTAssertEqual(outcome["pagination"]?["total"], 0)
        XCTAssertEqual(t.get("/v1/admin/audit-events?cursor=bogus", token: admin.accessToken).code, "invalid_parameter")
        XCTAssertEqual(t.get("/v1/admin/audit-events?action=auth.nothing", token: admin.accessToken).code, "invalid_parameter")
        XCTAssertEqual(t.get("/v1/admin/audit-events?actor_id=\(admin.userID)", token: admin.accessToken)["pagination"]?["total"], 3, "signup and two logins")
    }

    func testAuditRowsRollBackWithTheirTransaction() throws {
        struct Abort: Error {}
        let before = try t.sql.scalarInt("SELECT count(*) FROM audit_events")
        XCTAssertThrowsError(
            try t.store.write { db in
                try db.appendAudit(
                    AuditEvent(
                        id: Identifier.make(), at: .now(), actorID: nil, action: .userUpdate, targetType: nil,
                        targetID: nil, outcome: .success, reason: nil, requestID: nil, serverRequestID: nil, ip: nil))
                throw Abort()
            })
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM audit_events"), before)
    }

    func testAuditTrailIsAppendOnly() throws {
        _ = t.member()
        XCTAssertThrowsError(try t.sql.run("UPDATE audit_events SET outcome = 'failure'"))
        XCTAssertThrowsError(try t.sql.run("DELETE FROM audit_events"))
    }
}
