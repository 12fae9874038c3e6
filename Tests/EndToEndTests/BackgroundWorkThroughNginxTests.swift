import CofferTestSupport
import Foundation
import XCTest

/// cofferd's own job runner: within seconds of start it has run the periodic maintenance, and
/// `coffer jobs` shows and retries jobs on the same database.
class BackgroundWorkThroughNginxTests: XCTestCase {
    var stack: Stack!
    class var backend: TestBackend { .sqlite }

    override func setUpWithError() throws {
        stack = try Stack(environment: [:], backend: Self.backend)
    }

    override func tearDown() {
        stack?.stop()
    }

    func testCofferdRunsDueJobsWithinSecondsAndCofferJobsListsThem() throws {
        let url = stack.databaseURL
        var listed = ""
        let deadline = Date().addingTimeInterval(10)
        repeat {
            listed = try CofferCLI.run(["jobs", "list", "--status", "succeeded", "--database-url", url]).output
            if listed.contains(" purge ") && listed.contains(" hold_expiry ") { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        XCTAssertTrue(listed.contains(" purge  succeeded  attempts 1/3"), listed)
        XCTAssertTrue(listed.contains(" hold_expiry  succeeded"), listed)
        let id = try XCTUnwrap(listed.split(separator: "\n").first { $0.contains(" purge ") }?.split(separator: " ").first.map(String.init))
        let refused = try CofferCLI.run(["jobs", "retry", id, "--database-url", url])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("Only a dead or failed job can be retried"), refused.output)
        XCTAssertNotEqual(try CofferCLI.run(["jobs", "list", "--status", "stuck", "--database-url", url]).status, 0)
    }
}

final class BackgroundWorkThroughNginxTestsOnPostgres: BackgroundWorkThroughNginxTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertTrue(stack.databaseURL.hasPrefix("postgres://")) }
}
