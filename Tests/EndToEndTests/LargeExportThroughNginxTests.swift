import CofferTestSupport
import Foundation
import XCTest

/// An export of 100,000 statement lines by cofferd's own job runner: its status moves through
/// queued, running and succeeded, every line is in the file, and cofferd's memory stays bounded
/// (the lines are read a page at a time and streamed to the file). The peak RSS is printed.
final class LargeExportThroughNginxTests: XCTestCase {
    var stack: Stack!

    override func setUpWithError() throws {
        stack = try Stack(environment: ["COFFER_WORKERS": "8"])
    }

    override func tearDown() {
        stack?.stop()
    }

    /// `VmHWM` (the peak) or `VmRSS` (now) of cofferd, in KiB.
    private func memoryKiB(_ field: String) throws -> Int {
        let pid = try XCTUnwrap(stack.cofferd.pid)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix(field + ":") })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    func testAHundredThousandLineExportStreamsWithinBoundedMemory() throws {
        let seeded = try CofferCLI.run(["seed-demo", "--database-url", stack.databaseURL, "--extra-transactions", "100000"])
        XCTAssertEqual(seeded.status, 0, seeded.output)
        let api = APIClient(http: stack.http)
        let login = try api.request("POST", "/v1/auth/login", ["email": "ann@demo.coffer", "password": "demo-password-2026"])
        let token = try XCTUnwrap(try login.json()["access_token"] as? String)
        let accounts = try XCTUnwrap(try api.request("GET", "/v1/accounts", token: token).json()["data"] as? [[String: Any]])
        let checking = try XCTUnwrap(accounts.first?["id"] as? String)
        let statement = try api.request("GET", "/v1/statements/\(checking)?limit=1", token: token).json()
        let lines = try XCTUnwrap(statement["transaction_count"] as? Int)
        XCTAssertGreaterThan(lines, 100_000)
        let from = try XCTUnwrap(statement["from"] as? String)
        let to = try XCTUnwrap(statement["to"] as? String)
        // The peak so far includes startup and seeding's reads; start it again from here.
        let pid = try XCTUnwrap(stack.cofferd.pid)
        try "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
        let before = try memoryKiB("VmRSS")

        let created = try api.request(
            "POST", "/v1/exports", ["account_id": checking, "from": from, "to": to, "group_by": "none", "format": "json"], token: token)
        XCTAssertEqual(created.status, 202, created.text)
        let id = try XCTUnwrap(try created.json()["id"] as? String)
        var seen: [String] = [try XCTUnwrap(try created.json()["status"] as? String)]
        let deadline = Date().addingTimeInterval(120)
        while seen.last != "succeeded" && seen.last != "failed" && Date() < deadline {
            let status = try api.request("GET", "/v1/exports/\(id)", token: token).json()
            if let current = status["status"] as? String, current != seen.last { seen.append(current) }
            usleep(20_000)
        }
        XCTAssertEqual(seen, ["queued", "running", "succeeded"])
        let done = try api.request("GET", "/v1/exports/\(id)", token: token).json()
        XCTAssertEqual(done["rows"] as? Int, lines)
        let peak = try memoryKiB("VmHWM")
        print("export of \(lines) lines: cofferd RSS \(before / 1024) MiB before, peak \(peak / 1024) MiB while exporting")
        // The lines as records would be tens of MiB; a page of them is well under one.
        XCTAssertLessThan(peak - before, 16 * 1024, "the export's lines are never all in memory at once")

        let file = try api.request("GET", "/v1/exports/\(id)/download", token: token)
        XCTAssertEqual(file.status, 200)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(file.body)) as? [String: Any])
        let exported = try XCTUnwrap((json["accounts"] as? [[String: Any]])?.first?["lines"] as? [Any])
        XCTAssertEqual(exported.count, lines)
    }
}
