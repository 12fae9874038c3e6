import CofferCore
import CofferTestSupport
import XCTest

/// API.md "Metadata": labels on accounts, transactions, transfers, holds and scheduled transfers, set at creation
/// (accounts may replace theirs), and `?metadata[key]=value` filters on every list.
class MetadataFilterTests: APITestCase {
    private func ids(_ reply: TestApp.Reply) -> Set<String> {
        Set(reply["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
    }

    func testEveryListFiltersOnMetadataAndFiltersAndTogether() throws {
        let ann = t.member()
        let bob = t.member()
        let token = ann.accessToken
        let opened = t.post("/v1/accounts", ["type": "checking", "currency": "USD", "metadata": ["team": "ops", "region": "eu"]], token: token)
        XCTAssertEqual(opened.status, 201, opened.json.serializedString)
        XCTAssertEqual(opened["metadata"], ["region": "eu", "team": "ops"])
        let a = try XCTUnwrap(opened["id"]?.stringValue)
        let b = t.openAccount(ann)
        let bobs = t.post("/v1/accounts", ["type": "checking", "currency": "USD", "metadata": ["team": "ops"]], token: bob.accessToken)
        XCTAssertEqual(bobs.status, 201)

        XCTAssertEqual(ids(t.get("/v1/accounts?metadata[team]=ops", token: token)), [a], "never another user's")
        XCTAssertEqual(ids(t.get("/v1/accounts?metadata%5Bteam%5D=ops&metadata[region]=eu", token: token)), [a])
        XCTAssertEqual(ids(t.get("/v1/accounts?metadata[team]=ops&metadata[region]=us", token: token)), [])

        let deposit = t.post(
            "/v1/transactions", ["account_id": .string(a), "type": "deposit", "amount": 900, "metadata": ["order_id": "A-17"]], token: token)
        XCTAssertEqual(deposit["metadata"], ["order_id": "A-17"])
        t.deposit(ann, a, 100)
        let transfer = t.post(
            "/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 300, "metadata": ["order_id": "A-17"]],
            token: token)
        XCTAssertEqual(transfer["metadata"], ["order_id": "A-17"])
        XCTAssertEqual(t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 1], token: token).status, 201)
        let hold = t.post("/v1/holds", ["account_id": .string(a), "amount": 50, "metadata": ["order_id": "A-18"]], token: token)
        XCTAssertEqual(hold.status, 201)

        let transactions = t.get("/v1/transactions?metadata[order_id]=A-17", token: token)
        XCTAssertEqual(transactions["pagination"]?["total"], 3, "the deposit and both lines of the transfer")
        XCTAssertTrue(ids(transactions).contains(deposit["id"]!.stringValue!))
        XCTAssertEqual(t.get("/v1/transactions?account_id=\(b)&metadata[order_id]=A-17", token: token)["pagination"]?["total"], 1)
        XCTAssertEqual(ids(t.get("/v1/transfers?metadata[order_id]=A-17", token: token)), [transfer["id"]!.stringValue!])
        XCTAssertEqual(ids(t.get("/v1/holds?metadata[order_id]=A-18", token: token)), [hold["id"]!.stringValue!])
        XCTAssertEqual(ids(t.get("/v1/holds?metadata[order_id]=A-17", token: token)), [])
        func schedule(_ metadata: JSONValue, by member: TestApp.Member, from: String, to: String) throws -> String {
            let reply = t.post(
                "/v1/scheduled-transfers",
                [
                    "from_account_id": .string(from), "to_account_id": .string(to), "amount": 5, "interval": "monthly",
                    "start_date": .string(t.clock.clock.now().adding(seconds: 86_400).date.iso8601), "metadata": metadata,
                ], token: member.accessToken)
            XCTAssertEqual(reply.status, 201, reply.json.serializedString)
            return try XCTUnwrap(reply["id"]?.stringValue)
        }
        let rent = try schedule(["order_id": "A-17", "kind": "rent"], by: ann, from: a, to: b)
        _ = try schedule(["order_id": "A-18"], by: ann, from: a, to: b)
        _ = try schedule([:], by: ann, from: b, to: a)
        let bobsAccount = try XCTUnwrap(bobs["id"]?.stringValue)
        _ = try schedule(["order_id": "A-17"], by: bob, from: bobsAccount, to: a)
        XCTAssertEqual(ids(t.get("/v1/scheduled-transfers?metadata[order_id]=A-17", token: token)), [rent], "never another user's")
        XCTAssertEqual(ids(t.get("/v1/scheduled-transfers?metadata[order_id]=A-17&metadata[kind]=rent", token: token)), [rent])
        XCTAssertEqual(ids(t.get("/v1/scheduled-transfers?metadata[order_id]=A-17&metadata[kind]=salary", token: token)), [])
        XCTAssertEqual(t.get("/v1/scheduled-transfers?metadata[order_id]=A-17", token: token)["pagination"]?["total"], 1)
        XCTAssertEqual(t.get("/v1/scheduled-transfers", token: token)["pagination"]?["total"], 3)

        // An account replaces its metadata; the old entries stop matching at once.
        let patched = t.send(.patch, "/v1/accounts/\(a)", body: ["metadata": ["team": "risk"]], token: token)
        XCTAssertEqual(patched.status, 200, patched.json.serializedString)
        XCTAssertEqual(patched["metadata"], ["team": "risk"])
        XCTAssertEqual(patched["status"], "active")
        XCTAssertEqual(ids(t.get("/v1/accounts?metadata[team]=ops", token: token)), [])
        XCTAssertEqual(ids(t.get("/v1/accounts?metadata[team]=risk", token: token)), [a])
        XCTAssertEqual(ids(t.get("/v1/accounts?metadata[region]=eu", token: token)), [])
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["metadata": [:]], token: token)["metadata"], [:])
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["metadata": ["x": "y"]], token: bob.accessToken).code, "not_found")
    }

    func testBadMetadataAndBadFiltersAreClearErrors() {
        let ann = t.member()
        let token = ann.accessToken
        var many: [(String, JSONValue)] = []
        for index in 0..<21 { many.append(("k\(index)", "v")) }
        let cases: [(JSONValue, Set<String>)] = [
            (.object(many), ["metadata"]),
            (["Bad": "x"], ["metadata"]),
            (["ok": .int(1)], ["metadata.ok"]),
            (["long": .string(String(repeating: "x", count: 501))], ["metadata.long"]),
            (["hidden": "a\u{200B}b"], ["metadata.hidden"]),
            ("not an object", ["metadata"]),
        ]
        for (metadata, fields) in cases {
            let reply = t.post("/v1/accounts", ["type": "checking", "currency": "USD", "metadata": metadata], token: token)
            XCTAssertEqual(reply.code, "validation_failed", metadata.serializedString)
            let named = Set(reply["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
            XCTAssertEqual(named, fields, metadata.serializedString)
        }
        let fine = t.post("/v1/accounts", ["type": "checking", "currency": "USD", "metadata": .object(Array(many.prefix(20)))], token: token)
        XCTAssertEqual(fine.status, 201, "20 keys are allowed")
        XCTAssertEqual(t.get("/v1/accounts?metadata[Bad]=x", token: token).code, "invalid_parameter")
        XCTAssertEqual(t.get("/v1/accounts?metadata=x", token: token).code, "invalid_parameter")
        XCTAssertEqual(t.get("/v1/cards?metadata[a]=x", token: token).code, "invalid_parameter", "cards carry no metadata")
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(fine["id"]!.stringValue!)", body: [:], token: token).code, "validation_failed")
    }

    /// The filter is answered from the (owner, key, value) index, not by reading every row.
    func testTheFilterUsesTheIndex() throws {
        guard let sqlite = t.sql.sqlite else { throw XCTSkip("the query plan is SQLite's") }
        let plan = try sqlite.query(
            """
            EXPLAIN QUERY PLAN SELECT id FROM transfers WHERE id IN
                (SELECT owner_id FROM metadata_entries WHERE owner = 'transfer' AND key = ? AND value = ?)
            """, [.text("order_id"), .text("A-17")]
        ) { $0.text(3) }
        XCTAssertTrue(plan.contains { $0.contains("metadata_entries USING PRIMARY KEY (owner=? AND key=? AND value=?)") }, "\(plan)")
    }
}

final class MetadataFilterTestsOnPostgres: MetadataFilterTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
