import CofferCore
import CofferCrypto
import CofferHTTP
import CofferSQLite
import CofferTestSupport
import Foundation
import HTTPTypes
import XCTest

@testable import CofferServices

class TokenTests: APITestCase {
    override func tearDown() { t = nil }

    private func claims(of token: String) throws -> JSONValue {
        try JSONParser.parse(XCTUnwrap(Base64URL.decode(token.split(separator: ".")[1])))
    }

    private func forge(_ claims: JSONValue, header: JSONValue = ["alg": "HS256", "typ": "JWT"], key: [UInt8]? = nil) -> String {
        let signingInput = Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
        let signature = HMACKey(key ?? t.secret).authenticate(Array(signingInput.utf8)[...])
        return signingInput + "." + Base64URL.encode(signature)
    }

    private func replacing(_ claims: JSONValue, _ key: String, with value: JSONValue) -> JSONValue {
        guard case var .object(members) = claims else { return claims }
        members = members.map { $0.0 == key ? ($0.0, value) : $0 }
        return .object(members)
    }

    func testAccessTokenCarriesTheRequiredClaims() throws {
        let member = t.member()
        let header = try JSONParser.parse(XCTUnwrap(Base64URL.decode(member.accessToken.split(separator: ".")[0])))
        XCTAssertEqual(header["alg"], "HS256")
        let claims = try claims(of: member.accessToken)
        XCTAssertEqual(claims["sub"], .string(member.userID))
        XCTAssertEqual(claims["iss"], "coffer")
        XCTAssertEqual(claims["aud"], "coffer-api")
        XCTAssertEqual(claims["role"], "user")
        XCTAssertNotNil(claims["jti"]?.stringValue)
        XCTAssertNotNil(claims["sid"]?.stringValue, "the login (refresh family) the token belongs to")
        let iat = try XCTUnwrap(Double(XCTUnwrap(claims["iat"].flatMap { if case let .number(n) = $0 { n } else { nil } })))
        let exp = try XCTUnwrap(claims["exp"]?.int64Value)
        XCTAssertEqual(Double(exp) - iat, 900, accuracy: 1)
    }

    func testTamperedAndForeignTokensAreUnauthenticated() throws {
        let member = t.member()
        let claims = try claims(of: member.accessToken)
        let parts = member.accessToken.split(separator: ".").map(String.init)
        let flipped = parts[0] + "." + parts[1] + "." + String(parts[2].dropLast()) + (parts[2].hasSuffix("A") ? "B" : "A")
        let cases: [(String, String)] = [
            ("bad signature", flipped),
            ("alg none", Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."),
            ("alg HS512", forge(claims, header: ["alg": "HS512", "typ": "JWT"])),
            ("other key", forge(claims, key: Array(repeating: 1, count: 32))),
            ("wrong aud", forge(replacing(claims, "aud", with: "someone-else"))),
            ("wrong iss", forge(replacing(claims, "iss", with: "evil"))),
            ("future iat", forge(replacing(claims, "iat", with: .int(Timestamp.now().millisecondsSinceEpoch / 1000 + 3600)))),
            ("unknown user", forge(replacing(claims, "sub", with: "01234567-89ab-7def-8123-456789abcdef"))),
            ("garbage", "not-a-token"),
        ]
        for (name, token) in cases {
            let reply = t.get("/v1/auth/me", token: token)
            XCTAssertEqual(reply.status, 401, name)
            XCTAssertEqual(reply.code, "unauthenticated", name)
            XCTAssertNotNil(reply.response.headerFields[.wwwAuthenticate], name)
        }
        XCTAssertEqual(t.get("/v1/auth/me").code, "unauthenticated")
        XCTAssertEqual(t.send(.get, "/v1/auth/me", headers: ["Authorization": "Basic abc"]).code, "unauthenticated")
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).status, 200, "the untouched token still works")
    }

    func testExpiryIsCheckedWithThirtySecondsLeeway() {
        let member = t.member()
        t.clock.advance(seconds: 900 + 20)
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).status, 200, "within leeway")
        t.clock.advance(seconds: 15)
        let expired = t.get("/v1/auth/me", token: member.accessToken)
        XCTAssertEqual(expired.status, 401)
        XCTAssertEqual(expired.code, "token_expired")
    }

    /// A worker remembers the tokens it verified (oldest out first), never their time checks:
    /// the expiry test above meets the remembered token on its second use.
    func testRememberedTokensAreBoundedAndStillExpire() throws {
        let remembered = VerifiedTokens(capacity: 2)
        let claims = AccessTokens.Claims(subject: "u", session: "s", jti: "j", issuedAt: 1, expiresAt: 2)
        for token in ["a", "b", "c"] { remembered.remember(token, claims) }
        XCTAssertNil(remembered["a"], "the oldest went first")
        XCTAssertNotNil(remembered["b"])
        XCTAssertNotNil(remembered["c"])

        let member = t.member()
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).status, 200)
        t.clock.advance(seconds: 900 + 31)
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).code, "token_expired")
    }

    /// Swift compares strings by Unicode equivalence, under which "K" and U+212A KELVIN SIGN are
    /// one; a remembered token must not answer for a spelling the signature check would refuse.
    func testARememberedTokenAnswersOnlyForItsOwnBytes() throws {
        var member = t.member()
        while !member.accessToken.contains("K") { member = t.member() }
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).status, 200)
        let lookalike = member.accessToken.replacingOccurrences(of: "K", with: "\u{212A}")
        XCTAssertEqual(lookalike, member.accessToken, "the two spellings are equal as Swift strings")
        XCTAssertEqual(t.get("/v1/auth/me", token: lookalike).status, 401)
    }

    func testRefreshRotatesAndReuseRevokesTheWholeFamily() throws {
        let member = t.member()
        let first = t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)])
        XCTAssertEqual(first.status, 200)
        let second = try XCTUnwrap(first["refresh_token"]?.stringValue)
        XCTAssertNotEqual(second, member.refreshToken)
        XCTAssertEqual(t.get("/v1/auth/me", token: first["access_token"]?.stringValue).status, 200)
        let third = try XCTUnwrap(t.post("/v1/auth/refresh", ["refresh_token": .string(second)])["refresh_token"]?.stringValue)

        let reuse = t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)])
        XCTAssertEqual(reuse.status, 401)
        XCTAssertEqual(reuse.code, "token_revoked")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(third)]).code, "token_revoked", "descendants die too")
        XCTAssertEqual(
            t.get("/v1/auth/me", token: first["access_token"]?.stringValue).code, "token_revoked",
            "access tokens issued to the family die with it")
        let audit = try t.auditEvents(action: .refreshReuse)
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.actorID, member.userID)
    }

    /// Two holders presenting one refresh token at the same moment (the thief and the owner) is
    /// reuse however the two requests interleave: whichever wins, its new tokens die with the family.
    func testOneRefreshTokenPresentedTwiceAtOnceRevokesTheFamilyWhoeverWins() throws {
        let makeWorker = t.workerFactory()
        for _ in 0..<8 {
            let member = t.member()
            let answers = Collected<(status: Int, refresh: String?)>()
            let group = DispatchGroup()
            for _ in 0..<2 {
                group.enter()
                Thread {
                    defer { group.leave() }
                    guard let app = try? makeWorker() else { return answers.add((-1, nil)) }
                    let response = app.handle(
                        Request(
                            method: .post, path: "/v1/auth/refresh", headerFields: [.contentType: "application/json"],
                            body: Array(#"{"refresh_token":"\#(member.refreshToken)"}"#.utf8)))
                    let body = try? JSONParser.parse(response.body)
                    answers.add((response.status.code, body?["refresh_token"]?.stringValue))
                }.start()
            }
            group.wait()
            let all = answers.all
            XCTAssertEqual(all.filter { $0.status == 200 }.count, 1, "\(all.map(\.status))")
            XCTAssertEqual(all.filter { $0.status == 401 }.count, 1, "\(all.map(\.status))")
            let won = try XCTUnwrap(all.compactMap(\.refresh).first)
            XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(won)]).code, "token_revoked", "the winner's tokens die too")
        }
        XCTAssertEqual(try t.auditEvents(action: .refreshReuse).count, 8)
    }

    func testRefreshOfOtherLoginsIsUnaffectedByReuse() throws {
        let member = t.member()
        let otherLogin = t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)])
        _ = t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)])
        _ = t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)])
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": otherLogin["refresh_token"]!]).status, 200)
    }

    func testUnknownAndExpiredRefreshTokens() {
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": "no-such-token"]).code, "unauthenticated")
        let member = t.member()
        t.clock.advance(seconds: 604_800 + 1)
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)]).code, "token_expired")
        XCTAssertEqual(t.post("/v1/auth/refresh", [:]).code, "validation_failed")
    }

    func testLogoutRevokesTheFamilyAndThePresentedAccessTokenOnly() throws {
        let member = t.member()
        let other = t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)])
        let logout = t.post("/v1/auth/logout", ["refresh_token": .string(member.refreshToken)], token: member.accessToken)
        XCTAssertEqual(logout.status, 204)
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)]).code, "token_revoked")
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).code, "token_revoked")
        XCTAssertEqual(t.get("/v1/auth/me", token: other["access_token"]?.stringValue).status, 200, "other logins keep working")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": other["refresh_token"]!]).status, 200)
        XCTAssertEqual(try t.auditEvents(action: .logout).count, 1)
    }

    func testLogoutWithTheRefreshTokenAloneIsEnough() {
        let member = t.member()
        XCTAssertEqual(t.post("/v1/auth/logout", ["refresh_token": .string(member.refreshToken)]).status, 204)
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)]).code, "token_revoked")
        XCTAssertEqual(t.post("/v1/auth/logout", ["refresh_token": "unknown"]).status, 204, "as RFC 7009")
    }

    func testPasswordChangeRevokesEverySessionIssuedBefore() throws {
        let member = t.member()
        let wrong = t.post("/v1/auth/password", ["current_password": "not my password", "new_password": "a brand new password"], token: member.accessToken)
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(wrong.code, "validation_failed")
        XCTAssertEqual(wrong.json["error"]?["details"]?["fields"]?.arrayValue?.first?["field"], "current_password")

        let changed = t.post(
            "/v1/auth/password", ["current_password": .string(member.password), "new_password": "a brand new password"],
            token: member.accessToken)
        XCTAssertEqual(changed.status, 204)
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).code, "token_revoked")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(member.refreshToken)]).code, "token_revoked")
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 401)
        let fresh = t.post("/v1/auth/login", ["email": .string(member.email), "password": "a brand new password"])
        XCTAssertEqual(fresh.status, 200)
        XCTAssertEqual(t.get("/v1/auth/me", token: fresh["access_token"]?.stringValue).status, 200, "a token issued right after works")
        XCTAssertEqual(try t.auditEvents(action: .passwordChange).map(\.outcome), [.success, .failure], "newest first: the change, then the wrong attempt")
    }

    /// A login and a password change of one user at once, a dozen times, each on its own worker:
    /// whichever commits first, no session from the old password outlives the change. On
    /// PostgreSQL the login could check the password before the change committed and start its
    /// session after the change had revoked the others, so that session kept working.
    func testALoginRacingAPasswordChangeNeverOutlivesIt() throws {
        var member = t.member()
        for round in 0..<12 {
            let next = "a brand new password \(round)"
            let login = #"{"email":"\#(member.email)","password":"\#(member.password)"}"#
            let change = #"{"current_password":"\#(member.password)","new_password":"\#(next)"}"#
            let answers = t.answersAtOnce([(.post, "/v1/auth/login", login, nil), (.post, "/v1/auth/password", change, member.accessToken)])
            XCTAssertEqual(answers[1].status.code, 204)
            if answers[0].status.code == 200 {
                let session = try JSONParser.parse(answers[0].body)
                XCTAssertEqual(t.get("/v1/auth/me", token: session["access_token"]?.stringValue).code, "token_revoked", "round \(round)")
                XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": session["refresh_token"] ?? .null]).code, "token_revoked")
            } else {
                XCTAssertEqual(answers[0].status.code, 401)
            }
            let fresh = t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(next)])
            XCTAssertEqual(fresh.status, 200)
            member = TestApp.Member(
                email: member.email, password: next, userID: member.userID, holderID: member.holderID,
                accessToken: try XCTUnwrap(fresh["access_token"]?.stringValue), refreshToken: try XCTUnwrap(fresh["refresh_token"]?.stringValue))
        }
    }

    /// A stolen access token must not allow unlimited guesses of the current password.
    func testWrongCurrentPasswordsCountTowardsTheLockout() throws {
        let member = t.member()
        for _ in 0..<5 {
            let wrong = t.post(
                "/v1/auth/password", ["current_password": "a wrong guess!", "new_password": "a brand new password"],
                token: member.accessToken)
            XCTAssertEqual(wrong.code, "validation_failed")
        }
        let locked = t.post(
            "/v1/auth/password", ["current_password": .string(member.password), "new_password": "a brand new password"],
            token: member.accessToken)
        XCTAssertEqual(locked.code, "account_locked")
        XCTAssertNotNil(locked.response.headerFields[.retryAfter])
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).code, "account_locked")
        let failures = try t.auditEvents(action: .passwordChange).filter { $0.outcome == .failure }
        XCTAssertEqual(failures.filter { $0.reason == "wrong_current_password" }.count, 5)
        XCTAssertEqual(try t.auditEvents(action: .lockout).count, 1)
    }

    func testALoggedOutAccessTokenStaysDeniedThroughTheLeeway() throws {
        let member = t.member()
        XCTAssertEqual(t.post("/v1/auth/logout", ["refresh_token": .string(member.refreshToken)], token: member.accessToken).status, 204)
        t.clock.advance(seconds: 900 + 10)  // past exp, inside the 30 s leeway
        try t.runJobs()  // the purge job removes only denials whose leeway has passed
        XCTAssertEqual(t.get("/v1/auth/me", token: member.accessToken).code, "token_revoked")
    }

    func testPasswordChangeNeedsAuthenticationAndAValidNewPassword() {
        XCTAssertEqual(t.post("/v1/auth/password", ["current_password": "x", "new_password": "y"]).code, "unauthenticated")
        let member = t.member()
        let short = t.post("/v1/auth/password", ["current_password": .string(member.password), "new_password": "short"], token: member.accessToken)
        XCTAssertEqual(short.json["error"]?["details"]?["fields"]?.arrayValue?.first?["field"], "new_password")
    }
}
