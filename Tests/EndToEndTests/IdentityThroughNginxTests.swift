import Foundation
import XCTest

/// Identity through the real stack: nginx, cofferd with default Argon2id cost, a real database.
final class IdentityThroughNginxTests: XCTestCase {
    var stack: Stack!

    override func setUpWithError() throws {
        stack = try Stack()
    }

    override func tearDown() {
        stack?.stop()
    }

    private func post(_ path: String, _ body: [String: Any], token: String? = nil) throws -> HTTPResult {
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try stack.http.send("POST", path, headers: headers, body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    func testSignupLoginRefreshLogoutWithoutLeakingSecrets() throws {
        let password = "Sup3r-secret passphrase"
        var responses: [HTTPResult] = []
        let signup = try post(
            "/v1/auth/signup",
            [
                "email": "e2e@example.com", "password": password, "first_name": "Eve",
                "last_name": "Tester", "dob": "1990-05-05",
            ])
        XCTAssertEqual(signup.status, 201, signup.text)
        responses.append(signup)

        let login = try post("/v1/auth/login", ["email": "E2E@example.com", "password": password])
        XCTAssertEqual(login.status, 200, login.text)
        XCTAssertEqual(login.header("Cache-Control"), "no-store")
        let session = try login.json()
        let access = try XCTUnwrap(session["access_token"] as? String)
        let refresh = try XCTUnwrap(session["refresh_token"] as? String)

        let me = try stack.http.get("/v1/auth/me", headers: [("Authorization", "Bearer \(access)")])
        XCTAssertEqual(me.status, 200)
        responses.append(me)

        let rotated = try post("/v1/auth/refresh", ["refresh_token": refresh])
        XCTAssertEqual(rotated.status, 200)
        let newRefresh = try XCTUnwrap(try rotated.json()["refresh_token"] as? String)
        let newAccess = try XCTUnwrap(try rotated.json()["access_token"] as? String)
        XCTAssertNotEqual(newRefresh, refresh)

        let reuse = try post("/v1/auth/refresh", ["refresh_token": refresh])
        XCTAssertEqual(reuse.status, 401)
        XCTAssertEqual((try reuse.json()["error"] as? [String: Any])?["code"] as? String, "token_revoked")
        responses.append(reuse)

        let stale = try stack.http.get("/v1/auth/me", headers: [("Authorization", "Bearer \(newAccess)")])
        XCTAssertEqual(stale.status, 401, "reuse ends the whole login, access tokens included")
        responses.append(stale)

        let relogin = try post("/v1/auth/login", ["email": "e2e@example.com", "password": password])
        let second = try relogin.json()
        let badChange = try post(
            "/v1/auth/password", ["current_password": "nope nope nope", "new_password": "another passphrase"],
            token: second["access_token"] as? String)
        XCTAssertEqual(badChange.status, 400)
        responses.append(badChange)
        let logout = try post("/v1/auth/logout", ["refresh_token": second["refresh_token"] as! String], token: second["access_token"] as? String)
        XCTAssertEqual(logout.status, 204)
        let afterLogout = try stack.http.get("/v1/auth/me", headers: [("Authorization", "Bearer \(second["access_token"] as! String)")])
        XCTAssertEqual(afterLogout.status, 401)
        responses.append(afterLogout)
        let wrong = try post("/v1/auth/login", ["email": "e2e@example.com", "password": "not the password"])
        XCTAssertEqual(wrong.status, 401)
        responses.append(wrong)

        let secrets = [password, "not the password", "nope nope nope", "another passphrase", access, refresh, newRefresh, newAccess, "$argon2id$"]
        for response in responses {
            for secret in secrets {
                XCTAssertFalse(response.text.contains(secret), "a response body contains a secret: \(response.text)")
            }
        }
        let log = stack.cofferd.log
        XCTAssertFalse(log.isEmpty)
        for secret in secrets {
            XCTAssertFalse(log.contains(secret), "the log contains a secret")
        }
    }

    func testAuthEndpointsAreRateLimitedPerAddressWithAProblem() throws {
        var limited: HTTPResult?
        for _ in 0..<250 {
            let response = try post("/v1/auth/login", ["email": "x@example.com"])
            if response.status == 429 {
                limited = response
                break
            }
            XCTAssertEqual(response.status, 400)
        }
        let response = try XCTUnwrap(limited, "nginx never answered 429")
        XCTAssertEqual(response.header("Content-Type"), "application/problem+json")
        XCTAssertEqual((try response.json()["error"] as? [String: Any])?["code"] as? String, "rate_limited")
        XCTAssertNotNil(response.header("Retry-After"))
        XCTAssertEqual(try stack.http.get("/v1/health").status, 200, "other paths are not limited")
    }

    func testCreateAdminFromTheCommandLineThenAdministerThroughTheAPI() throws {
        let databaseURL = stack.databaseURL
        func createAdmin(_ email: String, password: String) throws -> (Int32, String) {
            try CofferCLI.run(["create-admin", "--email", email, "--password-stdin", "--database-url", databaseURL], stdin: "\(password)\n")
        }
        let (shortStatus, shortOutput) = try createAdmin("root@example.com", password: "only14chars!!!")
        XCTAssertNotEqual(shortStatus, 0)
        XCTAssertTrue(shortOutput.contains("15"), shortOutput)
        // Argon2id's cost is checked as cofferd checks it, not silently replaced by the default.
        for setting in ["ARGON2_ITERATIONS=lots", "ARGON2_MEMORY_KIB=0"] {
            let (badStatus, badOutput) = try Shell.run(
                "/usr/bin/env",
                [setting, TestPaths.binary("coffer").path, "create-admin", "--email", "root@example.com", "--database-url", databaseURL],
                stdin: "an admin passphrase of length\n")
            XCTAssertNotEqual(badStatus, 0, setting)
            XCTAssertTrue(badOutput.contains(String(setting.prefix { $0 != "=" })), badOutput)
        }

        let adminPassword = "an admin passphrase of length"
        let (status, output) = try createAdmin("Root@Example.com", password: adminPassword)
        XCTAssertEqual(status, 0, output)
        XCTAssertFalse(output.contains(adminPassword))

        let login = try post("/v1/auth/login", ["email": "root@example.com", "password": adminPassword])
        XCTAssertEqual(login.status, 200, login.text)
        XCTAssertEqual((try login.json()["user"] as? [String: Any])?["role"] as? String, "admin")
        let token = try XCTUnwrap(try login.json()["access_token"] as? String)
        let users = try stack.http.get("/v1/admin/users", headers: [("Authorization", "Bearer \(token)")])
        XCTAssertEqual(users.status, 200)
        let audit = try stack.http.get("/v1/admin/audit-events?action=auth.login", headers: [("Authorization", "Bearer \(token)")])
        let events = try XCTUnwrap(try audit.json()["data"] as? [[String: Any]])
        XCTAssertEqual(events.first?["ip"] as? String, "127.0.0.1")
        XCTAssertNotNil(events.first?["request_id"] as? String)
    }
}
