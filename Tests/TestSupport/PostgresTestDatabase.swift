import CofferPostgres
import Foundation

/// An empty schema of its own on the test server named by `COFFER_TEST_POSTGRES_URL` (`make
/// test` starts one with scripts/with-postgres.sh), dropped by `drop()`; the URL selects it
/// through `search_path`, so each test sees only its own tables.
public final class PostgresTestDatabase: Sendable {
    /// Why a PostgreSQL test cannot run; tests turn it into a skip. `make test` always sets the
    /// variable, so there it never happens.
    public static let unconfigured = "COFFER_TEST_POSTGRES_URL is not set (make test starts a PostgreSQL server and sets it)"

    public let url: String
    private let adminURL: String
    private let schema: String

    /// Nil when no test server is configured.
    public init?() throws {
        guard let adminURL = ProcessInfo.processInfo.environment["COFFER_TEST_POSTGRES_URL"], !adminURL.isEmpty else { return nil }
        self.adminURL = adminURL
        schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try PostgresConnection(url: adminURL).execute("CREATE SCHEMA \(schema)")
        let separator = adminURL.contains("?") ? "&" : "?"
        url = adminURL + separator + "options=-c%20search_path%3D\(schema)"
    }

    public func drop() {
        try? PostgresConnection(url: adminURL).execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
    }
}
