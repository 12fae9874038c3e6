import CofferCore
import CofferSQLite
import XCTest

class AdministrationTests: APITestCase {
    override func tearDown() { t = nil }

    func testAdminEndpointsAreForbiddenToUsersAndWritesToSupport() throws {
        let user = t.member()
        let support = try t.member(role: .support)
        let admin = try t.member(role: .admin)
        for path in ["/v1/admin/users", "/v1/admin/audit-events"] {
            XCTAssertEqual(t.get(path, token: user.accessToken).code, "forbidden", path)
            XCTAssertEqual(t.get(path, token: support.accessToken).status, 200, path)
            XCTAssertEqual(t.get(path, token: admin.accessToken).status, 200, path)
            XCTAssertEqual(t.get(path).code, "unauthenticated", path)
        }
        let patch: JSONValue = ["status": "suspended"]
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: patch, token: support.accessToken).code, "forbidden")
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: patch, token: user.accessToken).code, "forbidden")
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: patch, token: admin.accessToken).status, 200)
    }

    func testSuspensionStopsIssuedTokensAtOnceAndReactivationRestoresLogin() throws {
        let user = t.member()
        let admin = try t.member(role: .admin)
        let suspended = t.send(.patch, "/v1/admin/users/\(user.userID)", body: ["status": "suspended"], token: admin.accessToken)
        XCTAssertEqual(suspended["status"], "suspended")
        XCTAssertEqual(t.get("/v1/auth/me", token: user.accessToken).code, "token_revoked")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(user.refreshToken)]).code, "token_revoked")
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(user.email), "password": .string(user.password)]).code, "invalid_credentials")

        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: ["status": "active"], token: admin.accessToken).status, 200)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(user.email), "password": .string(user.password)]).status, 200)
    }

    func testRoleChangesTakeEffectOnTheSameToken() throws {
        let user = t.member()
        let admin = try t.member(role: .admin)
        XCTAssertEqual(t.get("/v1/admin/users", token: user.accessToken).status, 403)
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: ["role": "support"], token: admin.accessToken)["role"], "support")
        XCTAssertEqual(t.get("/v1/admin/users", token: user.accessToken).status, 200)
    }

    func testUserUpdateValidation() throws {
        let user = t.member()
        let admin = try t.member(role: .admin)
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: [:], token: admin.accessToken).code, "validation_failed")
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(user.userID)", body: ["role": "king"], token: admin.accessToken).code, "validation_failed")
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/no-such-user", body: ["role": "user"], token: admin.accessToken).code, "not_found")
        XCTAssertEqual(t.send(.patch, "/v1/admin/users/\(admin.userID)", body: ["status": "suspended"], token: admin.accessToken).code, "forbidden")
        XCTAssertEqual(try t.auditEvents(action: .userUpdate).count, 0, "refused updates leave no audit row")
    }

    func testUserListFiltersAndPages() throws {
        for _ in 0..<3 { _ = t.member() }
        let admin = try t.member(role: .admin)
        let all = t.get("/v1/admin/users?limit=2", token: admin.accessToken)
        XCTAssertEqual(all["data"]?.arrayValue?.count, 2)
        XCTAssertEqual(all["pagination"]?["total"], 4)
        XCTAssertEqual(all["pagination"]?["limit"], 2)
        let admins = t.get("/v1/admin/users?role=admin", token: admin.accessToken)
        XCTAssertEqual(admins["data"]?.arrayValue?.map { $0["id"] }, [.string(admin.userID)])
        for bad in ["limit=0", "limit=101", "offset=-1", "role=king", "rolee=admin", "limit=1&limit=2", "limit=1.5"] {
            XCTAssertEqual(t.get("/v1/admin/users?\(bad)", token: admin.accessToken).code, "invalid_parameter", bad)
        }
    }

    func testHoldersAreVisibleToTheirOwnerAndStaffOnly() throws {
        let ann = t.member()
        let bob = t.member()
        let support = try t.member(role: .support)
        XCTAssertEqual(t.get("/v1/account-holders/\(ann.holderID)", token: ann.accessToken).status, 200)
        let probe = t.get("/v1/account-holders/\(ann.holderID)", token: bob.accessToken)
        XCTAssertEqual(probe.status, 404)
        XCTAssertEqual(probe.code, "not_found")
        XCTAssertEqual(t.get("/v1/account-holders/\(ann.holderID)", token: support.accessToken).status, 200)
        let own = t.get("/v1/account-holders", token: bob.accessToken)
        XCTAssertEqual(own["data"]?.arrayValue?.map { $0["id"] }, [.string(bob.holderID)])
        XCTAssertEqual(t.get("/v1/account-holders", token: support.accessToken)["pagination"]?["total"], 3)
    }

    /// Two admins change one user at once, one the status and one the role, a dozen times: both
    /// changes stay. On PostgreSQL each wrote back the field it had read, so a suspension could
    /// be undone by a role change that committed after it.
    func testTwoAdminsChangingOneUserAtOnceKeepBothChanges() throws {
        let first = try t.member(role: .admin)
        let second = try t.member(role: .admin)
        for _ in 0..<12 {
            let user = t.member()
            let statuses = t.sendAtOnce([
                (.patch, "/v1/admin/users/\(user.userID)", #"{"status":"suspended"}"#, first.accessToken),
                (.patch, "/v1/admin/users/\(user.userID)", #"{"role":"support"}"#, second.accessToken),
            ])
            XCTAssertEqual(statuses, [200, 200])
            let listed = t.get("/v1/admin/users?status=suspended&limit=100", token: first.accessToken)["data"]?.arrayValue ?? []
            let now = try XCTUnwrap(listed.first { $0["id"]?.stringValue == user.userID }, "the suspension stayed")
            XCTAssertEqual(now["role"], "support")
        }
    }
}
