import CofferCore
import XCTest

@testable import CofferServices

final class AccountOwnershipCacheTests: XCTestCase {
    func testTheOwnershipCacheForgetsEverythingWhenFullAndRemembersOnlyWhatItFound() throws {
        let cache = AccountOwnershipCache(capacity: 2)
        let usd = try XCTUnwrap(Currency(code: "USD"))
        var reads = 0
        func look(_ id: String, exists: Bool = true) throws -> AccountOwnership? {
            try cache.ownership(of: id) {
                reads += 1
                return exists ? AccountOwnership(id: id, ownerUserID: "owner-\(id)", currency: usd) : nil
            }
        }
        XCTAssertNil(try look("gone", exists: false))
        XCTAssertNil(try look("gone", exists: false))
        XCTAssertEqual(reads, 2, "a missing account is read again")
        XCTAssertEqual(try look("a")?.ownerUserID, "owner-a")
        XCTAssertEqual(try look("a")?.ownerUserID, "owner-a")
        XCTAssertEqual(try look("b")?.ownerUserID, "owner-b")
        XCTAssertEqual(reads, 4, "a and b read once each")
        XCTAssertEqual(cache.count, 2)
        XCTAssertEqual(try look("c")?.ownerUserID, "owner-c")
        XCTAssertEqual(cache.count, 1, "full: everything forgotten, then c remembered")
        XCTAssertEqual(try look("a")?.ownerUserID, "owner-a")
        XCTAssertEqual(reads, 6)
    }
}
