import CofferTestSupport
import XCTest

/// Every in-process API suite again, on PostgreSQL: the same test methods (inherited), another
/// store. Each needs the test server that `make test` starts. XCTest on Linux only finds a class
/// that declares a test of its own, hence `testRunsOnPostgreSQL` in each.
final class AccountTestsOnPostgres: AccountTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class AdministrationTestsOnPostgres: AdministrationTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class AuditTrailTestsOnPostgres: AuditTrailTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class BalanceAtTestsOnPostgres: BalanceAtTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class CardAndStatementTestsOnPostgres: CardAndStatementTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class ConcurrentMoneyTestsOnPostgres: ConcurrentMoneyTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class HardeningTestsOnPostgres: HardeningTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class IdempotencyTestsOnPostgres: IdempotencyTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class MetadataTestsOnPostgres: MetadataTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class MoneyMovementTestsOnPostgres: MoneyMovementTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class SignupAndLoginTestsOnPostgres: SignupAndLoginTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class TokenTestsOnPostgres: TokenTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class HoldTestsOnPostgres: HoldTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class ReversalTestsOnPostgres: ReversalTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class TransferBatchTestsOnPostgres: TransferBatchTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class PlanTestsOnPostgres: PlanTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}

final class MetricsTestsOnPostgres: MetricsTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
