import CofferCore
import CofferHTTP
import CofferSQLite
import CofferTestSupport
import Foundation
import HTTPTypes
import XCTest

/// Sixteen workers, each with its own connection as in cofferd, move money between a handful of
/// accounts at once, many of the requests bound to fail. Money must be conserved exactly.
class ConcurrentMoneyTests: APITestCase {
    func testSixteenWorkersConserveMoney() throws {
        let t = try makeApp()
        let owners = [t.member(), t.member()]
        var accounts: [(id: String, token: String)] = []
        for owner in owners {
            for _ in 0..<3 {
                let id = t.openAccount(owner)
                XCTAssertEqual(t.deposit(owner, id, 20_000).status, 201)
                accounts.append((id, owner.accessToken))
            }
        }
        let initialTotal = try accounts.map { try t.balance($0.id) }.reduce(0, +)
        let makeWorker = t.workerFactory()
        let outcomes = Collected<Int>()
        let group = DispatchGroup()
        let pairs = accounts
        for thread in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? makeWorker() else { return outcomes.add(-1) }
                var generator = SystemRandomNumberGenerator()
                for step in 0..<60 {
                    let from = pairs[Int.random(in: 0..<pairs.count, using: &generator)]
                    var to = pairs[Int.random(in: 0..<pairs.count, using: &generator)]
                    if step % 10 == 0 { to = from }  // refused: same_account
                    // Large amounts are refused with insufficient_funds once a balance runs low.
                    let amount = Int64.random(in: 1...9_000, using: &generator)
                    let body = JSONValue.object([("from_account_id", .string(from.id)), ("to_account_id", .string(to.id)), ("amount", .int(amount))])
                    let response = app.handle(
                        Request(
                            method: .post, path: "/v1/transfers",
                            headerFields: [.contentType: "application/json", .authorization: "Bearer \(from.token)", .idempotencyKey: "t\(thread)-s\(step)"],
                            body: body.serialized()))
                    outcomes.add(response.status.code)
                }
            }.start()
        }
        group.wait()

        let statuses = outcomes.all
        XCTAssertFalse(statuses.contains(-1))
        XCTAssertEqual(statuses.count, 16 * 60)
        XCTAssertTrue(statuses.allSatisfy { $0 == 201 || $0 == 422 }, "\(Set(statuses))")
        let succeeded = statuses.filter { $0 == 201 }.count
        XCTAssertGreaterThan(succeeded, 0)
        XCTAssertGreaterThan(statuses.filter { $0 == 422 }.count, 0)

        let balances = try accounts.map { try t.balance($0.id) }
        XCTAssertEqual(balances.reduce(0, +), initialTotal, "money is conserved")
        XCTAssertTrue(balances.allSatisfy { $0 >= 0 })
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM transfers"), Int64(succeeded))
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM postings WHERE transfer_id IS NOT NULL"), Int64(2 * succeeded))
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
        XCTAssertEqual(try t.journalGoingBackInTime(), 0, "each account's journal is in time order")
    }
}
