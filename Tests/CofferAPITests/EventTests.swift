import CofferCore
import CofferTestSupport
import XCTest

/// API.md "Events and webhooks": every change tells an event written in its own transaction, so
/// a refused or rolled-back change tells nothing; `GET /v1/events` lists a user's own, oldest first.
class EventTests: APITestCase {
    private func events(_ member: TestApp.Member, _ query: String = "") -> [JSONValue] {
        t.get("/v1/events?limit=100" + query, token: member.accessToken)["data"]?.arrayValue ?? []
    }

    private func types(_ member: TestApp.Member, _ query: String = "") -> [String] {
        events(member, query).compactMap { $0["type"]?.stringValue }
    }

    func testEveryChangeTellsItsEventToTheUsersItConcerns() throws {
        let ann = t.member()
        let bob = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        let deposit = t.deposit(ann, a, 5_000)
        let transfer = t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 1_000], token: ann.accessToken)
        let hold = try XCTUnwrap(t.post("/v1/holds", ["account_id": .string(a), "amount": 700], token: ann.accessToken)["id"]?.stringValue)
        XCTAssertEqual(t.post("/v1/holds/\(hold)/capture", ["amount": 200], token: ann.accessToken).status, 201)
        let other = try XCTUnwrap(t.post("/v1/holds", ["account_id": .string(a), "amount": 100], token: ann.accessToken)["id"]?.stringValue)
        XCTAssertEqual(t.post("/v1/holds/\(other)/void", [:], token: ann.accessToken).status, 200)
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(b)", body: ["status": "frozen"], token: admin.accessToken).status, 200)
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(b)", body: ["status": "active"], token: admin.accessToken).status, 200)
        let card = try XCTUnwrap(t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann.accessToken)["id"]?.stringValue)
        XCTAssertEqual(t.send(.patch, "/v1/cards/\(card)", body: ["status": "frozen"], token: ann.accessToken).status, 200)
        XCTAssertEqual(t.post("/v1/transfers/\(transfer["id"]!.stringValue!)/reverse", ["reason": "test"], token: admin.accessToken).status, 201)

        XCTAssertEqual(
            types(ann),
            [
                "transaction.created", "transfer.created", "hold.created", "hold.captured", "transaction.created", "hold.created",
                "hold.voided", "card.status_changed", "transfer.reversed", "transfer.created",
            ])
        XCTAssertEqual(
            types(bob), ["transfer.created", "account.status_changed", "account.status_changed", "transfer.reversed", "transfer.created"],
            "a transfer concerns both owners; the rest only its own")
        let first = try XCTUnwrap(events(ann).first)
        XCTAssertEqual(first["data"], deposit.json, "the object as the API showed it")
        XCTAssertNotNil(first["id"]?.stringValue)
        XCTAssertNotNil(first["created_at"]?.stringValue)
        let reversed = try XCTUnwrap(events(ann).first { $0["type"] == "transfer.reversed" })
        XCTAssertEqual(reversed["data"]?["id"], transfer["id"])
        XCTAssertNotEqual(reversed["data"]?["reversed_by"], .null)
        XCTAssertEqual(types(ann, "&type=hold.created"), ["hold.created", "hold.created"])
        XCTAssertEqual(events(admin).count, 12, "staff see every event: ann's ten and bob's two of his own")
        XCTAssertEqual(t.get("/v1/events?type=hold.melted", token: ann.accessToken).code, "invalid_parameter")
    }

    /// A status change and new metadata in one PATCH: the event shows the account as the answer
    /// does, with the new metadata (it used to be recorded before the metadata was replaced).
    func testAStatusChangeWithNewMetadataTellsTheAccountAsAnswered() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let answer = t.send(.patch, "/v1/accounts/\(a)", body: ["status": "closed", "metadata": ["reason": "moving"]], token: ann.accessToken)
        XCTAssertEqual(answer.status, 200)
        let told = try XCTUnwrap(events(ann).last { $0["type"] == "account.status_changed" })
        XCTAssertEqual(told["data"]?["metadata"], ["reason": "moving"])
        XCTAssertEqual(told["data"], answer.json)
    }

    func testARefusedOrRolledBackChangeTellsNothingAndAReplayTellsNothingTwice() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let before = events(ann).count
        XCTAssertEqual(
            t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 5_000], token: ann.accessToken).code,
            "insufficient_funds")
        let batch: JSONValue = [
            "mode": "atomic",
            "transfers": [
                ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 500],
                ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 600],
            ],
        ]
        XCTAssertEqual(t.post("/v1/transfers/batch", batch, token: ann.accessToken).code, "batch_item_failed")
        XCTAssertEqual(events(ann).count, before, "the first item's transfer rolled back with its event")
        let keyed = t.send(
            .post, "/v1/transfers", body: ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 10], token: ann.accessToken,
            headers: ["Idempotency-Key": "once"])
        XCTAssertEqual(keyed.status, 201)
        t.send(
            .post, "/v1/transfers", body: ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 10], token: ann.accessToken,
            headers: ["Idempotency-Key": "once"])
        XCTAssertEqual(events(ann).count, before + 1)
    }

    func testPollingWithTheCursorReadsEachEventOnceOldestFirst() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        for amount in 1...7 { t.deposit(ann, a, Int64(amount)) }
        var seen: [Int64] = []
        var cursor: String?
        var kept: String?
        var pages = 0
        repeat {
            let page = t.get("/v1/events?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: ann.accessToken)
            XCTAssertEqual(page.status, 200, page.json.serializedString)
            seen += page["data"]?.arrayValue?.compactMap { $0["data"]?["amount"]?.int64Value } ?? []
            cursor = page["pagination"]?["next_cursor"]?.stringValue
            kept = cursor ?? kept
            pages += 1
        } while cursor != nil
        XCTAssertEqual(seen, [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(pages, 4, "three pages of events, then an empty one without a cursor")
        t.deposit(ann, a, 8)
        let later = t.get("/v1/events?cursor=\(try XCTUnwrap(kept))", token: ann.accessToken)
        XCTAssertEqual(
            later["data"]?.arrayValue?.compactMap { $0["data"]?["amount"]?.int64Value }, [8],
            "a poll from the last cursor, even one from a part-full page, finds the new event and nothing read before")
    }

    /// A user's feed is read from both sides an event can name them on (their own, or the other
    /// party of a transfer), merged in order: every page, with the cursor, an offset or a type, is
    /// the slice of the whole in order, and the total counts both sides.
    func testAFeedMergesTheEventsOfBothSidesInOrderPageAfterPage() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 1_000)
        t.deposit(bob, b, 1_000)
        var expected: [(type: String, amount: Int64)] = [("transaction.created", 1_000)]
        for round in Int64(1)...4 {
            XCTAssertEqual(
                t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": .int(round)], token: ann.accessToken).status, 201
            )
            XCTAssertEqual(
                t.post("/v1/transfers", ["from_account_id": .string(b), "to_account_id": .string(a), "amount": .int(10 + round)], token: bob.accessToken)
                    .status, 201)
            t.deposit(bob, b, 100 + round)
            t.deposit(ann, a, 200 + round)
            expected += [("transfer.created", round), ("transfer.created", 10 + round), ("transaction.created", 100 + round)]
        }
        func read(_ query: String) -> (items: [(type: String, amount: Int64)], total: Int?, next: String?) {
            let page = t.get("/v1/events?" + query, token: bob.accessToken)
            XCTAssertEqual(page.status, 200, page.json.serializedString)
            let items = (page["data"]?.arrayValue ?? []).map { ($0["type"]?.stringValue ?? "", $0["data"]?["amount"]?.int64Value ?? -1) }
            return (items, page["pagination"]?["total"]?.int64Value.map { Int($0) }, page["pagination"]?["next_cursor"]?.stringValue)
        }
        func same(_ one: [(type: String, amount: Int64)], _ other: [(type: String, amount: Int64)], _ message: String) {
            XCTAssertEqual(one.map { "\($0.type) \($0.amount)" }, other.map { "\($0.type) \($0.amount)" }, message)
        }
        var seen: [(type: String, amount: Int64)] = []
        var cursor: String?
        repeat {
            let page = read("limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(page.total, expected.count, "the total counts both sides on every page")
            seen += page.items
            cursor = page.next
        } while cursor != nil
        same(seen, expected, "pages of two, cursor after cursor, are the whole feed in order")
        same(read("limit=3&offset=4").items, Array(expected[4..<7]), "an offset skips within the merged order")

        let transfers = expected.filter { $0.type == "transfer.created" }
        seen = []
        repeat {
            let page = read("limit=3&type=transfer.created" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(page.total, transfers.count)
            seen += page.items
            cursor = page.next
        } while cursor != nil
        same(seen, transfers, "sent and received transfers alike, in order")
    }
}

final class EventTestsOnPostgres: EventTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
