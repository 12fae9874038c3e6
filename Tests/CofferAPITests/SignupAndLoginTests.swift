import CofferCore
import CofferCrypto
import CofferHTTP
import CofferSQLite
import CofferTestSupport
import Foundation
import HTTPTypes
import XCTest

class SignupAndLoginTests: APITestCase {
    override func tearDown() { t = nil }

    private func signupBody(_ overrides: [String: JSONValue] = [:]) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("email", "New.Person@Example.COM "), ("password", "a long passphrase"),
            ("first_name", "New"), ("last_name", "Person"), ("dob", "1985-06-30"),
        ]
        for (key, value) in overrides {
            if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = value } else { fields.append((key, value)) }
        }
        return .object(fields)
    }

    private func fieldNames(_ reply: TestApp.Reply) -> [String] {
        reply.json["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
    }

    func testSignupCreatesUserAndHolderWithNormalisedEmail() throws {
        let reply = t.post("/v1/auth/signup", signupBody())
        XCTAssertEqual(reply.status, 201)
        XCTAssertEqual(reply["user"]?["email"], "new.person@example.com")
        XCTAssertEqual(reply["user"]?["role"], "user")
        XCTAssertEqual(reply["user"]?["status"], "active")
        XCTAssertEqual(reply["account_holder"]?["dob"], "1985-06-30")
        XCTAssertEqual(reply["account_holder"]?["user_id"], reply["user"]?["id"])
        let stored = try XCTUnwrap(try t.store.readOnce { try $0.user(email: "new.person@example.com") })
        XCTAssertTrue(stored.passwordHash.hasPrefix("$argon2id$v=19$"))
        XCTAssertFalse(reply.response.body.contains(Array("argon2".utf8)))
    }

    func testDuplicateEmailIsConflictEvenWithOtherCase() {
        XCTAssertEqual(t.post("/v1/auth/signup", signupBody()).status, 201)
        let again = t.post("/v1/auth/signup", signupBody(["email": "NEW.PERSON@example.com"]))
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(again.code, "email_already_exists")
    }

    func testSignupListsEveryInvalidField() {
        let reply = t.post(
            "/v1/auth/signup",
            signupBody([
                "email": "not-an-email", "password": "short", "first_name": "",
                "last_name": "Bad\u{07}Name", "dob": "2015-01-01", "nickname": "x",
            ]))
        XCTAssertEqual(reply.status, 400)
        XCTAssertEqual(reply.code, "validation_failed")
        XCTAssertEqual(Set(fieldNames(reply)), ["email", "password", "first_name", "last_name", "dob", "nickname"])
    }

    func testSignupFieldBoundaries() {
        let cases: [(String, JSONValue, Bool)] = [
            ("password", .string(String(repeating: "p", count: 10)), true), ("password", .string(String(repeating: "p", count: 9)), false),
            ("password", .string(String(repeating: "p", count: 128)), true), ("password", .string(String(repeating: "p", count: 129)), false),
            ("first_name", .string(String(repeating: "n", count: 100)), true), ("first_name", .string(String(repeating: "n", count: 101)), false),
            ("dob", "2023-02-30", false), ("dob", "30-06-1985", false), ("dob", 19_850_630, false), ("email", 5, false), ("dob", "2999-01-01", false),
        ]
        for (index, (field, value, valid)) in cases.enumerated() {
            var overrides: [String: JSONValue] = ["email": .string("b\(index)@example.com")]
            overrides[field] = value
            let reply = t.post("/v1/auth/signup", signupBody(overrides))
            XCTAssertEqual(reply.status, valid ? 201 : 400, "\(field)=\(value.serializedString)")
            if !valid { XCTAssertEqual(fieldNames(reply), [field]) }
        }
    }

    /// Names are limited in code points, as the database's CHECK counts them: never a 500.
    func testNamesAreMeasuredAsTheDatabaseMeasuresThem() {
        // x + acute has no precomposed form, so NFC keeps it at 60 characters and 120 code points.
        let combining = String(repeating: "x\u{301}", count: 60)
        let reply = t.post("/v1/auth/signup", signupBody(["email": "accents@example.com", "first_name": .string(combining)]))
        XCTAssertEqual(reply.code, "validation_failed")
        XCTAssertEqual(fieldNames(reply), ["first_name"])
        let fits = String(repeating: "é", count: 100)
        XCTAssertEqual(t.post("/v1/auth/signup", signupBody(["email": "fits@example.com", "first_name": .string(fits)])).status, 201)
    }

    func testEmailsAreTrimmedOfAnyWhitespaceIncludingCRLF() {
        XCTAssertEqual(t.post("/v1/auth/signup", signupBody(["email": "crlf@example.com\r\n"])).status, 201)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": "\tCRLF@example.com\r\n", "password": "a long passphrase"]).status, 200)
    }

    func testHolderMustBeAnAdultToday() {
        let today = t.clock.clock.now().date
        let eighteen = CivilDate(year: today.year - 18, month: today.month, day: min(today.day, 28))!
        let almost = CivilDate(
            daysSinceEpoch: CivilDate(year: today.year - 18, month: today.month, day: today.day == 29 && today.month == 2 ? 28 : today.day)!.daysSinceEpoch + 1)
        XCTAssertEqual(t.post("/v1/auth/signup", signupBody(["email": "adult@example.com", "dob": .string(eighteen.iso8601)])).status, 201)
        XCTAssertEqual(t.post("/v1/auth/signup", signupBody(["email": "minor@example.com", "dob": .string(almost.iso8601)])).status, 400)
    }

    func testBodyProblemsComeBeforeAnythingElse() {
        XCTAssertEqual(t.send(.post, "/v1/auth/signup", body: signupBody(), headers: ["Content-Type": "text/plain"]).code, "unsupported_media_type")
        let broken = t.app.handle(
            .init(method: .post, path: "/v1/auth/login", headerFields: [.contentType: "application/json"], body: Array("{\"email\":".utf8)))
        XCTAssertEqual(broken.status, 400)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": "a@b.co"]).code, "validation_failed")
    }

    func testLoginAnswersTokensAndUser() throws {
        let member = t.member()
        let reply = t.post("/v1/auth/login", ["email": .string(" " + member.email.uppercased()), "password": .string(member.password)])
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply["token_type"], "Bearer")
        XCTAssertEqual(reply["expires_in"], 900)
        XCTAssertEqual(reply["refresh_expires_in"], 604_800)
        XCTAssertEqual(reply["user"]?["id"], .string(member.userID))
        XCTAssertEqual(reply.response.headerFields[.cacheControl], "no-store")
        let refresh = try XCTUnwrap(reply["refresh_token"]?.stringValue)
        XCTAssertGreaterThanOrEqual(refresh.count, 43, "at least 256 bits")
        let me = t.get("/v1/auth/me", token: reply["access_token"]?.stringValue)
        XCTAssertEqual(me.status, 200)
        XCTAssertEqual(me["account_holder"]?["id"], .string(member.holderID))
    }

    /// Wrong password, unknown email and suspended user must be indistinguishable.
    func testFailedLoginsLookIdentical() throws {
        let member = t.member()
        let suspended = t.member()
        try t.store.write { try $0.updateUser(id: suspended.userID, role: .user, status: .suspended) }
        let replies = [
            t.post("/v1/auth/login", ["email": .string(member.email), "password": "wrong password!"]),
            t.post("/v1/auth/login", ["email": "nobody@example.com", "password": "wrong password!"]),
            t.post("/v1/auth/login", ["email": .string(suspended.email), "password": .string(suspended.password)]),
        ]
        for reply in replies {
            XCTAssertEqual(reply.status, 401)
            XCTAssertEqual(reply.code, "invalid_credentials")
            XCTAssertEqual(reply.response.headerFields[.wwwAuthenticate], "Bearer realm=\"coffer\"", "every 401 carries a challenge")
            XCTAssertEqual(reply.json["detail"], replies[0].json["detail"])
            XCTAssertEqual(
                reply.response.headerFields.map(\.name).filter { $0 != .requestID }, replies[0].response.headerFields.map(\.name).filter { $0 != .requestID })
        }
        let reasons = try t.auditEvents(action: .login).filter { $0.outcome == .failure }.compactMap(\.reason)
        XCTAssertEqual(Set(reasons), ["wrong_password", "unknown_email", "suspended"])
    }

    func testFiveFailuresLockTheAccountUntilTheWindowPasses() throws {
        let member = t.member()
        for _ in 0..<5 {
            XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": "not the password"]).code, "invalid_credentials")
        }
        let locked = t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)])
        XCTAssertEqual(locked.status, 423)
        XCTAssertEqual(locked.code, "account_locked")
        let retryAfter = try XCTUnwrap(Int(locked.response.headerFields[.retryAfter] ?? ""))
        XCTAssertTrue((1...900).contains(retryAfter), "\(retryAfter)")
        XCTAssertEqual(try t.auditEvents(action: .lockout).count, 1)

        t.clock.advance(seconds: 14 * 60)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 423)
        t.clock.advance(seconds: 61)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 200)
    }

    /// Attempts whose password is still being checked cap how many run at once, but they are not
    /// failures: five in flight make the sixth wait (429, Retry-After 1), never "locked"; they stop
    /// counting once settled, and only settled failures lock.
    func testAttemptsInFlightLimitConcurrencyButNeverLockAnEmail() throws {
        let member = t.member()
        let now = t.clock.clock.now()
        // Five attempts of other requests, between their reservation and their Argon2id answer.
        try t.store.write { db in for offset in 0..<5 { try db.reserveLoginAttempt(email: member.email, at: now.adding(seconds: Int64(-offset))) } }
        let busy = t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)])
        XCTAssertEqual(busy.status, 429)
        XCTAssertEqual(busy.code, "rate_limited")
        XCTAssertEqual(busy.response.headerFields[.retryAfter], "1")
        XCTAssertEqual(try t.auditEvents(action: .lockout).count, 0)

        // One of them succeeds elsewhere: its own attempt goes, and there is room again.
        try t.store.write { try $0.clearLoginFailures(email: member.email, attemptAt: now, before: now.adding(seconds: -3600)) }
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 200)

        // The other four fail: with this session's own wrong password, that is five failures.
        try t.store.write { db in for offset in 1..<5 { try db.settleLoginAttempt(email: member.email, at: now.adding(seconds: Int64(-offset))) } }
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": "not the password"]).code, "invalid_credentials")
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).code, "account_locked")
        XCTAssertEqual(try t.auditEvents(action: .lockout).count, 1)
    }

    /// Twelve signups with one email at once, each on its own worker and connection: one account,
    /// eleven 409 `email_already_exists`. On PostgreSQL both checks could find the email free and
    /// the loser's insert failed on the unique index: a 500.
    func testConcurrentSignupsWithOneEmailCreateOneUser() throws {
        let body = #"{"email":"twice@example.com","password":"correct horse battery","first_name":"T","last_name":"W","dob":"1990-01-01"}"#
        let statuses = t.sendAtOnce(Array(repeating: (.post, "/v1/auth/signup", body, nil), count: 12))
        XCTAssertEqual(statuses.sorted(), [201] + Array(repeating: 409, count: 11))
    }

    /// Twenty-four wrong passwords for one email at once, each on its own worker and connection:
    /// exactly five are checked (and fail), the rest wait (429) or find the email locked (423).
    /// On PostgreSQL, without a lock per email, concurrent attempts each counted the same four.
    func testConcurrentGuessesNeverGetMoreThanTheThresholdChecked() throws {
        let member = t.member()
        let all = t.sendAtOnce((0..<24).map { guess in (.post, "/v1/auth/login", #"{"email":"\#(member.email)","password":"guess \#(guess)"}"#, nil) })
        XCTAssertEqual(all.filter { $0 == 401 }.count, 5, "\(all.sorted())")
        XCTAssertEqual(all.filter { $0 != 401 && $0 != 429 && $0 != 423 }, [], "\(all.sorted())")
        XCTAssertEqual(try t.auditEvents(action: .lockout).count, 1)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 423)
    }

    /// An attempt whose process died before it was settled stops holding a place after a minute.
    func testAnAbandonedAttemptStopsCountingAfterAMinute() throws {
        let member = t.member()
        try t.store.write { db in for _ in 0..<5 { try db.reserveLoginAttempt(email: member.email, at: t.clock.clock.now()) } }
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 429)
        t.clock.advance(seconds: 61)
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 200)
    }

    func testLoginRehashesPasswordsMadeWithOldParameters() throws {
        let member = t.member()
        let cheaper = try PasswordHasherFixture.hash(member.password)
        try t.store.write { try $0.updatePassword(userID: member.userID, hash: cheaper, changedAt: nil) }
        XCTAssertEqual(t.post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)]).status, 200)
        let stored = try XCTUnwrap(try t.store.readOnce { try $0.user(id: member.userID) })
        XCTAssertNotEqual(stored.passwordHash, cheaper)
        XCTAssertTrue(stored.passwordHash.contains("m=1024,t=1,p=1"))
    }
}

enum PasswordHasherFixture {
    static func hash(_ password: String) throws -> String {
        try PasswordHasher(parameters: .init(memoryKiB: 2048, iterations: 1, parallelism: 1)).hash(password)
    }
}
