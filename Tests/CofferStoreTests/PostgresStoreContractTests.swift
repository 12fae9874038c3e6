import CofferPostgres
import CofferStore
import CofferTestSupport
import Foundation
import XCTest

/// The store contract, run against a real PostgreSQL server (the one `make test` starts).
final class PostgresStoreContractTests: StoreContractTests {
    private var database: PostgresTestDatabase?

    override func makeStore() throws -> any Store {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        self.database = database
        let pool = PostgresPool(url: database.url, size: 2)
        try PostgresMigrator().migrate(pool)
        return PostgresStore(pool: pool)
    }

    override func tearDown() {
        super.tearDown()
        database?.drop()
    }

    func testMigratingTwiceAppliesNothingTheSecondTime() throws {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { database.drop() }
        let pool = PostgresPool(url: database.url, size: 1)
        XCTAssertEqual(try PostgresMigrator().appliedVersions(pool), [])
        XCTAssertEqual(try PostgresMigrator().migrate(pool), PostgresSchema.migrations.map(\.version))
        XCTAssertEqual(try PostgresMigrator().migrate(pool), [])
        XCTAssertEqual(try PostgresMigrator().appliedVersions(pool), PostgresSchema.migrations.map(\.version))
    }

    func testAWrongPasswordIsUnavailableAndNeverEchoed() throws {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { database.drop() }
        let secret = "not-the-password-\(UInt32.random(in: 0...UInt32.max))"
        var components = URLComponents(string: database.url)!
        components.password = secret
        XCTAssertThrowsError(try PostgresPool(url: components.string!, size: 1).warmUp()) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .unavailable, "\(error)")
            XCTAssertFalse("\(error)".contains(secret))
        }
    }
}
