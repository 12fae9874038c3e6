import CofferTestSupport
import Foundation
import XCTest

/// `coffer demo` against the real stack through nginx, in both modes.
class DemoClientTests: XCTestCase {
    var stack: Stack!
    var baseURL: String { "http://127.0.0.1:\(stack.port)" }
    var databaseURL: String { stack.databaseURL }
    class var backend: TestBackend { .sqlite }

    override func setUpWithError() throws {
        stack = try Stack(backend: Self.backend)
    }

    override func tearDown() {
        stack?.stop()
    }

    func testShippedStepsFileRunsToTheEndAndTheLedgerVerifies() throws {
        let steps = TestPaths.repositoryRoot.appendingPathComponent("examples/demo-steps.json").path
        let result = try CofferCLI.run(["demo", "--base-url", baseURL, "--steps", steps])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("all 30 steps met their expectations"), result.output)
        XCTAssertTrue(result.output.contains("← 201 transferred 750.50 USD"), result.output)
        XCTAssertTrue(result.output.contains("← 201 captured 80.00 USD of a hold of 100.00 USD"), result.output)
        XCTAssertTrue(result.output.contains("← 200 hold voided: 50.00 USD"), result.output)
        XCTAssertTrue(result.output.contains("← 201 batch of 2 transfers"), result.output)
        XCTAssertFalse(result.output.contains("eyJ"), "a token was printed")
        let verify = try CofferCLI.run(["verify", "--database-url", databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    func testAWrongExpectationFailsAndNamesTheStep() throws {
        let steps = """
            [
              {"step": "signup", "email": "wrong-${run}@example.com", "password": "a long passphrase", "first_name": "W", "last_name": "X", "dob": "1990-01-01"},
              {"step": "login", "email": "wrong-${run}@example.com", "password": "a long passphrase"},
              {"step": "create_account", "name": "main", "type": "checking", "currency": "USD"},
              {"step": "deposit", "account": "${main.id}", "amount": 1000},
              {"step": "expect", "name": "balance_check", "account": "${main.id}", "balance": 999}
            ]
            """
        let file = stack.directory.appendingPathComponent("wrong.json")
        try steps.write(to: file, atomically: true, encoding: .utf8)
        let result = try CofferCLI.run(["demo", "--base-url", baseURL, "--steps", file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("step 5 (balance_check) failed: expected balance 999, got 1000"), result.output)
    }

    func testAStepRefusedByTheAPIShowsTheProblemDetail() throws {
        let steps = """
            [{"step": "signup", "name": "bad_signup", "email": "nope", "password": "short", "first_name": "A", "last_name": "B", "dob": "1990-01-01"}]
            """
        let file = stack.directory.appendingPathComponent("refused.json")
        try steps.write(to: file, atomically: true, encoding: .utf8)
        let result = try CofferCLI.run(["demo", "--base-url", baseURL, "--steps", file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("step 1 (bad_signup) failed"), result.output)
        XCTAssertTrue(result.output.contains("validation_failed: Invalid fields: email must be a valid email address"), result.output)
    }

    func testInteractiveModeAnsweredThroughAPipeCompletesTheFlow() throws {
        // Defaults for the URL and the person, one bad email and one bad amount (asked again),
        // a deposit, a transfer that is too large (asked again), then one that fits.
        let answers = [baseURL, "", "", "", "", "not-an-email", "pipe-demo@example.com", "12.345", "100.25", "5000", "40"]
        let result = try CofferCLI.run(["demo"], stdin: answers.joined(separator: "\n") + "\n")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("the email must be a valid email address"), result.output)
        XCTAssertTrue(result.output.contains("enter an amount like 12.50"), result.output)
        XCTAssertTrue(result.output.contains("insufficient_funds"), result.output)
        XCTAssertTrue(result.output.contains("closing 60.25 USD, 2 transactions"), result.output)
        XCTAssertTrue(result.output.contains("demo complete: pipe-demo@example.com"), result.output)
        XCTAssertFalse(result.output.contains("eyJ"), "a token was printed")
        XCTAssertEqual(try CofferCLI.run(["verify", "--database-url", databaseURL]).status, 0)
    }

    func testInteractiveModeStopsCleanlyWhenInputEnds() throws {
        let result = try CofferCLI.run(["demo", "--base-url", baseURL], stdin: "\n")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("input ended before the demo finished"), result.output)
    }

    func testAdminCommandsHaveHelpAndClearErrors() throws {
        for command in ["demo", "migrate", "create-admin", "seed-demo", "verify"] {
            let help = try CofferCLI.run([command, "--help"])
            XCTAssertEqual(help.status, 0, command)
            XCTAssertTrue(help.output.contains("USAGE"), help.output)
        }
        let bad = try CofferCLI.run(["verify", "--database-url", "mysql://nowhere"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("DATABASE_URL"), bad.output)
        let missing = try CofferCLI.run(["verify", "--database-url", "sqlite:///nonexistent-dir/x.db"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("unusable"), missing.output)
    }
}

/// The demo flow again, on PostgreSQL. XCTest on Linux only finds a class that declares a test of its own.
final class DemoClientTestsOnPostgres: DemoClientTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertTrue(stack.databaseURL.hasPrefix("postgres://")) }
}
