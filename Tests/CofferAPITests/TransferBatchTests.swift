import CofferCore
import CofferTestSupport
import XCTest

/// API.md "Batches": up to 1,000 transfers in one request and one commit, all or nothing, or
/// each on its own.
class TransferBatchTests: APITestCase {
    private func batch(_ member: TestApp.Member, _ mode: String, _ items: [JSONValue], key: String? = nil) -> TestApp.Reply {
        t.send(
            .post, "/v1/transfers/batch", body: ["mode": .string(mode), "transfers": .array(items)], token: member.accessToken,
            headers: key.map { ["Idempotency-Key": $0] } ?? [:])
    }

    private func item(_ from: String, _ to: String, _ amount: Int64) -> JSONValue {
        ["from_account_id": .string(from), "to_account_id": .string(to), "amount": .int(amount)]
    }

    func testAnAtomicBatchWithOneBadItemAppliesNothing() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let c = t.openAccount(bob)
        t.deposit(ann, a, 1_000)
        let journal = try t.journalCount()
        let audit = try t.auditEvents(action: .transferCreate).count
        let replays = t.committer?.statistics.replays
        let refused = batch(ann, "atomic", [item(a, b, 100), item(a, c, 200), item(c, a, 50), item(a, b, 1)])
        XCTAssertEqual(refused.code, "batch_item_failed", refused.json.serializedString)
        XCTAssertEqual(refused["error"]?["details"]?["index"], 2)
        XCTAssertEqual(refused["error"]?["details"]?["item"]?["code"], "not_found", "item 2 takes from bob's account")
        let tooMuch = batch(ann, "atomic", [item(a, b, 600), item(a, b, 600)])
        XCTAssertEqual(tooMuch["error"]?["details"]?["index"], 1)
        XCTAssertEqual(tooMuch["error"]?["details"]?["item"]?["code"], "insufficient_funds")
        XCTAssertEqual(try t.balance(a), 1_000)
        XCTAssertEqual(try t.balance(b), 0)
        XCTAssertEqual(try t.journalCount(), journal)
        XCTAssertEqual(try t.auditEvents(action: .transferCreate).count, audit)
        // Its own savepoint undid the items before the refused one: the committer had nothing to
        // run again (SQLite).
        if let committer = t.committer { XCTAssertEqual(committer.statistics.replays, replays) }
    }

    func testItemsApplyInOrderAndAnIndependentBatchAppliesExactlyTheGoodOnes() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let euro = t.openAccount(ann, currency: "EUR")
        t.deposit(ann, a, 500)
        // Item 1 spends what item 0 credited.
        let chained = batch(ann, "atomic", [item(a, b, 500), item(b, a, 300), item(a, b, 300)])
        XCTAssertEqual(chained.status, 201, chained.json.serializedString)
        XCTAssertEqual(chained["data"]?.arrayValue?.map { $0["amount"] }, [500, 300, 300])
        XCTAssertEqual(try t.balance(a), 0)
        XCTAssertEqual(try t.balance(b), 500)

        let mixed = batch(ann, "independent", [item(b, a, 100), item(b, euro, 1), item(b, a, 1_000), item(b, b, 1), item(b, a, 400)])
        XCTAssertEqual(mixed.status, 200, mixed.json.serializedString)
        let results = try XCTUnwrap(mixed["data"]?.arrayValue)
        XCTAssertEqual(results.map { $0["index"] }, [0, 1, 2, 3, 4])
        XCTAssertEqual(results.map { $0["status"] }, [201, 422, 422, 422, 201])
        XCTAssertEqual(results.map { $0["error"]?["code"] ?? .null }, [.null, "currency_mismatch", "insufficient_funds", "same_account", .null])
        XCTAssertEqual(results[4]["transfer"]?["amount"], 400)
        XCTAssertEqual(try t.balance(a), 500)
        XCTAssertEqual(try t.balance(b), 0)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testOneIdempotencyKeyReplaysTheWholeBatchAndBadBodiesNameTheirItem() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let first = batch(ann, "independent", [item(a, b, 100), item(a, b, 5_000)], key: "batch-1")
        XCTAssertEqual(first.status, 200)
        let again = batch(ann, "independent", [item(a, b, 100), item(a, b, 5_000)], key: "batch-1")
        XCTAssertEqual(again.response.body, first.response.body)
        XCTAssertEqual(again.response.headerFields[.init("Idempotent-Replayed")!], "true")
        XCTAssertEqual(try t.balance(b), 100, "moved once")
        XCTAssertEqual(batch(ann, "atomic", [item(a, b, 100)], key: "batch-1").code, "idempotency_key_mismatch")

        let bad = batch(ann, "sometimes", [item(a, b, 0), ["from_account_id": .string(a), "amount": 1, "colour": "red"], "x"])
        XCTAssertEqual(bad.code, "validation_failed")
        let fields = Set(bad["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        XCTAssertEqual(fields, ["mode", "transfers[0].amount", "transfers[1].to_account_id", "transfers[1].colour", "transfers[2]"])
        XCTAssertEqual(batch(ann, "atomic", []).code, "validation_failed")
        XCTAssertEqual(batch(ann, "atomic", Array(repeating: item(a, b, 1), count: 1_001)).code, "validation_failed")
    }

    /// A thousand transfers in one request are one write transaction: one group-commit batch on
    /// SQLite, one PostgreSQL transaction id on every row they wrote.
    func testAThousandItemBatchCommitsOnce() throws {
        let ann = t.member()
        let accounts = (0..<4).map { _ in t.openAccount(ann) }
        for account in accounts { t.deposit(ann, account, 1_000_000) }
        var items: [JSONValue] = []
        for index in 0..<1_000 {
            let amount = Int64(index % 50 + 1)
            items.append(item(accounts[index % 4], accounts[(index + 1) % 4], amount))
        }
        let batchesBefore = t.committer?.statistics.batches
        let reply = batch(ann, "atomic", items)
        XCTAssertEqual(reply.status, 201)
        let ids = try XCTUnwrap(reply["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
        XCTAssertEqual(ids.count, 1_000)
        if let committer = t.committer, let batchesBefore {
            XCTAssertEqual(committer.statistics.batches, batchesBefore + 1)
        } else {
            XCTAssertEqual(try t.sql.scalarInt("SELECT count(DISTINCT xmin::text) FROM transfers"), 1)
        }
        XCTAssertEqual(try accounts.map { try t.balance($0) }.reduce(0, +), 4_000_000)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }
}
