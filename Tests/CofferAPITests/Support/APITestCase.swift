import CofferServices
import CofferTestSupport
import XCTest

/// A suite of the in-process API tests. It runs on SQLite; its twin in OnPostgres.swift runs the
/// same test methods on PostgreSQL by overriding `backend`.
class APITestCase: XCTestCase {
    var t: TestApp!

    class var backend: TestBackend { .sqlite }

    /// A fresh application on this suite's store.
    func makeApp(money: MoneySettings = MoneySettings(), webhooks: WebhookSettings? = nil) throws -> TestApp {
        try TestApp(money: money, webhooks: webhooks, backend: Self.backend)
    }

    override func setUpWithError() throws { t = try makeApp() }

    override func tearDown() { t = nil }
}
