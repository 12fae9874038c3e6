import CofferSQLite
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The hardening review's findings, each reproduced through the real stack (nginx, cofferd,
/// SQLite files, the CLI) the way a client or an attacker met them.
final class HardeningThroughNginxTests: XCTestCase {
    var stack: Stack!
    var api: APIClient { APIClient(http: stack.http) }

    override func setUpWithError() throws {
        stack = try Stack(environment: ["COFFER_MAX_BALANCE": "1000000"])
    }

    override func tearDown() { stack?.stop() }

    private func assertProblem(_ response: HTTPResult, status: Int, code: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.header("Content-Type"), "application/problem+json", file: file, line: line)
        let body = try response.json()
        XCTAssertEqual((body["error"] as? [String: Any])?["code"] as? String, code, file: file, line: line)
        XCTAssertEqual(body["request_id"] as? String, response.header("X-Request-Id"), file: file, line: line)
    }

    private func deposit(_ token: String, _ account: String, _ amount: Int, description: String? = nil) throws -> HTTPResult {
        var body: [String: Any] = ["account_id": account, "type": "deposit", "amount": amount]
        if let description { body["description"] = description }
        return try api.request("POST", "/v1/transactions", body, token: token)
    }

    func testBalancesStopAtTheConfiguredMaximumAndOverflowingTotalsNeverTakeTheServiceDown() throws {
        let ann = try api.member("max@e2e.example")
        let a = try api.openAccount(ann.token)
        XCTAssertEqual(try deposit(ann.token, a, 1_000_000).status, 201)
        try assertProblem(try deposit(ann.token, a, 1), status: 422, code: "balance_limit_exceeded")
        XCTAssertEqual(try api.balance(ann.token, a), 1_000_000)

        // Seeded where the API cannot get in test time: an opening balance and a day's credits
        // that each fit in 64 bits, whose sum does not. This used to trap and kill every worker.
        let pid = try XCTUnwrap(stack.cofferd.pid)
        let database = try Database(path: "\(stack.directory.path)/coffer.db")
        let huge: Int64 = 6_000_000_000_000_000_000
        try database.write { db in
            for at in [Int64(1_000_000_000_000), Int64(Date().timeIntervalSince1970 * 1000)] {
                try db.run(
                    """
                    INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, created_at)
                    VALUES (lower(hex(randomblob(16))), lower(hex(randomblob(16))), ?, 'deposit', ?, 'USD', ?, ?)
                    """, [.text(a), .integer(huge), .integer(huge), .integer(at)])
            }
        }
        let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let statement = try api.request("GET", "/v1/statements/\(a)?from=\(today)", token: ann.token)
        try assertProblem(statement, status: 400, code: "invalid_parameter")
        XCTAssertEqual(try stack.http.get("/v1/health").status, 200)
        XCTAssertEqual(stack.cofferd.pid, pid, "the same cofferd still serves")
    }

    func testARetryWithItsMembersReorderedIsReplayedNotRefused() throws {
        let ann = try api.member("reorder@e2e.example")
        let a = try api.openAccount(ann.token)
        let headers = [("Authorization", "Bearer \(ann.token)"), ("Content-Type", "application/json"), ("Idempotency-Key", "retry-1")]
        let first = try stack.http.send(
            "POST", "/v1/transactions", headers: headers,
            body: Array(#"{"account_id":"\#(a)","type":"deposit","amount":100}"#.utf8))
        XCTAssertEqual(first.status, 201, first.text)
        let retry = try stack.http.send(
            "POST", "/v1/transactions", headers: headers + [("X-Request-Id", "the-retry")],
            body: Array("{\"type\": \"deposit\", \"account_id\": \"\(a)\",\n \"amount\": 100}".utf8))
        XCTAssertEqual(retry.status, 201, retry.text)
        XCTAssertEqual(retry.header("Idempotent-Replayed"), "true")
        XCTAssertEqual(retry.body, first.body)
        XCTAssertEqual(try api.balance(ann.token, a), 100)
    }

    func testAnUnknownEmailLocksExactlyLikeAKnownOne() throws {
        var statuses: [Int] = []
        for _ in 0..<6 {
            let reply = try api.request("POST", "/v1/auth/login", ["email": "nobody-at-all@e2e.example", "password": "guess guess guess"])
            statuses.append(reply.status)
            if reply.status == 423 {
                try assertProblem(reply, status: 423, code: "account_locked")
                XCTAssertNotNil(reply.header("Retry-After"))
            }
        }
        XCTAssertEqual(statuses, [401, 401, 401, 401, 401, 423])
    }

    func testLookAlikeEmailsAreRefusedOrTheSameAddress() throws {
        let signup: ([String: Any]) throws -> HTTPResult = { fields in
            try self.api.request(
                "POST", "/v1/auth/signup",
                [
                    "password": "a long passphrase", "first_name": "Zoe", "last_name": "W",
                    "dob": "1990-01-01",
                ].merging(fields) { _, new in new })
        }
        XCTAssertEqual(try signup(["email": "zoe@e2e.example"]).status, 201)
        try assertProblem(try signup(["email": "zoe\u{200B}@e2e.example"]), status: 400, code: "validation_failed")
        try assertProblem(try signup(["email": "zoe\u{200D}@e2e.example"]), status: 400, code: "validation_failed")
        try assertProblem(try signup(["email": "other@e2e.example", "last_name": "W\u{202E}gnp.exe"]), status: 400, code: "validation_failed")
        XCTAssertEqual(try signup(["email": "jos\u{E9}@e2e.example"]).status, 201)
        try assertProblem(try signup(["email": "jose\u{301}@e2e.example"]), status: 409, code: "email_already_exists")
    }

    func testStatementCSVDefusesFormulasHiddenBehindCombiningAndFormatCharacters() throws {
        let ann = try api.member("csv@e2e.example")
        let a = try api.openAccount(ann.token)
        XCTAssertEqual(try deposit(ann.token, a, 500, description: "\u{301}=HYPERLINK(\"x\")").status, 201)
        // A joiner is refused on the way in now; rows written before keep being defused.
        let database = try Database(path: "\(stack.directory.path)/coffer.db")
        try database.run(
            """
            INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, description, created_at)
            VALUES (lower(hex(randomblob(16))), lower(hex(randomblob(16))), ?, 'deposit', 1, 'USD', 501, ?, ?)
            """, [.text(a), .text("=\u{200D}cmd|' /C calc'!A0"), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
        let csv = try api.request("GET", "/v1/statements/\(a)?format=csv", token: ann.token)
        XCTAssertEqual(csv.status, 200)
        let cells = csv.text.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let descriptions = cells.map { String($0[3]) }
        XCTAssertEqual(descriptions.count, 2)
        for description in descriptions {
            let scalars = description.unicodeScalars.drop { $0 == "\"" }
            XCTAssertEqual(scalars.first, "'", "not defused: \(description.debugDescription)")
        }
    }

    func testEveryV1AnswerForbidsCachingIncludingNginxsOwn() throws {
        let ann = try api.member("cache@e2e.example")
        let a = try api.openAccount(ann.token)
        let auth = [("Authorization", "Bearer \(ann.token)")]
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 100 * 1024)
        let answers: [(String, HTTPResult)] = [
            ("health", try stack.http.get("/v1/health")),
            ("problems", try stack.http.get("/v1/problems")),
            ("openapi", try stack.http.get("/v1/openapi.json")),
            ("me", try stack.http.get("/v1/auth/me", headers: auth)),
            ("account", try stack.http.get("/v1/accounts/\(a)", headers: auth)),
            ("accounts", try stack.http.get("/v1/accounts", headers: auth)),
            ("statement", try stack.http.get("/v1/statements/\(a)", headers: auth)),
            ("statement csv", try stack.http.get("/v1/statements/\(a)?format=csv", headers: auth)),
            ("401", try stack.http.get("/v1/accounts")),
            ("404", try stack.http.get("/v1/nowhere")),
            ("405", try stack.http.send("DELETE", "/v1/health")),
            ("413 from nginx", try stack.http.send("POST", "/v1/transactions", headers: [("Content-Type", "application/json")], body: big)),
            ("400 from nginx", try stack.http.get("/v1/accounts/%00")),
            ("414 from nginx, as 400", try stack.http.get("/v1/accounts/" + String(repeating: "a", count: 20_000))),
        ]
        for (name, response) in answers {
            XCTAssertEqual(response.headers(named: "Cache-Control"), ["no-store"], name)
        }
    }

    func testNextCursorsRevealNoBankWideCounter() throws {
        let ann = try api.member("cursor-ann@e2e.example")
        let bob = try api.member("cursor-bob@e2e.example")
        let a = try api.openAccount(ann.token)
        let b = try api.openAccount(bob.token)
        XCTAssertEqual(try deposit(ann.token, a, 1).status, 201)
        for _ in 0..<3 { XCTAssertEqual(try deposit(bob.token, b, 1).status, 201) }
        XCTAssertEqual(try deposit(ann.token, a, 1).status, 201)
        let page = try api.request("GET", "/v1/transactions?limit=1", token: ann.token).json()
        let cursor = try XCTUnwrap((page["pagination"] as? [String: Any])?["next_cursor"] as? String)
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let decoded = String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
        let database = try Database(path: "\(stack.directory.path)/coffer.db")
        let sequences = try database.query("SELECT seq FROM postings") { String($0.int64(0)) }
        let parts = Set(decoded.split(separator: ":").map(String.init))
        XCTAssertTrue(parts.isDisjoint(with: sequences), "cursor \(decoded) carries a journal sequence")
        let lastID = try XCTUnwrap((page["data"] as? [[String: Any]])?.last?["id"] as? String)
        XCTAssertTrue(parts.contains(lastID), "the cursor names the caller's own last item: \(decoded)")
        let next = try api.request("GET", "/v1/transactions?limit=1&cursor=\(cursor)", token: ann.token).json()
        XCTAssertEqual((next["data"] as? [Any])?.count, 1)
        try assertProblem(try api.request("GET", "/v1/transfers?cursor=\(cursor)", token: ann.token), status: 400, code: "invalid_parameter")
    }

    func testNginxsOwnBadRequestsAreProblems() throws {
        // nginx refuses this request line before it reads any header, so the id is nginx's own.
        let response = try stack.http.get("/v1/accounts/%00")
        try assertProblem(response, status: 400, code: "invalid_parameter")
        let unsupported = try stack.http.send("POST", "/v1/health", headers: [("Transfer-Encoding", "gzip, chunked")])
        try assertProblem(unsupported, status: 400, code: "invalid_parameter")
        // A request line or a header too long for nginx's buffers is malformed as well.
        try assertProblem(try stack.http.get("/v1/accounts/" + String(repeating: "a", count: 20_000)), status: 400, code: "invalid_parameter")
        try assertProblem(
            try stack.http.get("/v1/health", headers: [("X-Padding", String(repeating: "b", count: 20_000))]), status: 400, code: "invalid_parameter")
        // The batch route's own limit is the one its 413 names.
        let tooBig = [UInt8](repeating: UInt8(ascii: "a"), count: 1_100_000)
        let batch = try stack.http.send("POST", "/v1/transfers/batch", headers: [("Content-Type", "application/json")], body: tooBig)
        try assertProblem(batch, status: 413, code: "payload_too_large")
        XCTAssertTrue(batch.text.contains("1 MiB"), batch.text)
    }

    /// DNS rebinding: a page on another name pointed at this machine gets nothing, and redirects
    /// never echo the Host a client sent.
    func testOnlyThePinnedServerNamesAreServed() throws {
        let rebound = try api.request(
            "POST", "/v1/auth/signup",
            [
                "email": "rebind@e2e.example", "password": "a long passphrase",
                "first_name": "R", "last_name": "B", "dob": "1990-01-01",
            ],
            headers: [("Host", "evil.example:\(stack.port)"), ("Origin", "http://evil.example:\(stack.port)")])
        try assertProblem(rebound, status: 400, code: "invalid_parameter")
        let database = try Database(path: "\(stack.directory.path)/coffer.db")
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM users WHERE email = 'rebind@e2e.example'"), 0)
        let redirect = try stack.http.get("/js", headers: [("Host", "localhost:\(stack.port)")])
        XCTAssertEqual(redirect.status, 301)
        XCTAssertEqual(redirect.header("Location"), "/js/")
    }

    func testTheAppsTestsAreNotServed() throws {
        for path in ["/tests/money.test.mjs", "/Tests/Static/money.test.mjs", "/.git/config", "/.gitignore"] {
            XCTAssertEqual(try stack.http.get(path).status, 404, path)
        }
        XCTAssertEqual(try stack.http.get("/js/../../Package.swift").status, 400, "nginx refuses to leave the root")
        XCTAssertEqual(try stack.http.get("/js/money.js").status, 200)
        // An API path with a dot segment is an unknown API path, answered like any other.
        for path in ["/v1/.env", "/v1/.git/config"] {
            let reply = try stack.http.get(path)
            XCTAssertEqual(reply.status, 404, path)
            XCTAssertEqual(reply.header("Content-Type"), "application/problem+json", path)
            XCTAssertEqual(reply.header("Cache-Control"), "no-store", path)
        }
    }

    func testDatabaseFilesAndTheDataDirectoryArePrivate() throws {
        let mode = { (path: String) throws -> Int in
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        }
        XCTAssertEqual(try mode(stack.directory.path), 0o711)
        for suffix in ["", "-wal", "-shm"] {
            XCTAssertEqual(try mode("\(stack.directory.path)/coffer.db\(suffix)") & 0o077, 0, "coffer.db\(suffix)")
        }
        // The CLI before cofferd's first start, under the usual umask: the file must not be world-readable.
        let previous = umask(0o022)
        defer { umask(previous) }
        let fresh = "\(stack.directory.path)/cli-made.db"
        let migrate = try CofferCLI.run(["migrate", "--database-url", "sqlite://\(fresh)"])
        XCTAssertEqual(migrate.status, 0, migrate.output)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: fresh + suffix) {
            XCTAssertEqual(try mode(fresh + suffix), 0o600, "cli-made.db\(suffix)")
        }
    }
}
