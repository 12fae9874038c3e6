import CofferCore
import XCTest

final class ConfigurationTests: XCTestCase {
    func testDefaultsAreSafe() throws {
        let config = try Configuration.load(from: [:], cores: 2)
        XCTAssertEqual(config.environment, .dev)
        XCTAssertEqual(config.database, .sqlite(path: "./var/coffer.db"))
        XCTAssertEqual(config.databasePoolSize, 16)
        XCTAssertEqual(config.listen, .unix(path: "./var/cofferd.sock"))
        XCTAssertEqual(config.workers, 32, "16 per core: workers mostly wait on group commit")
        XCTAssertEqual(config.synchronous, .full)
        XCTAssertTrue(config.jwtSecretIsEphemeral)
        XCTAssertEqual(config.jwtSecret.count, 32)
        XCTAssertEqual(config.corsOrigins, [])
    }

    func testParsesEveryVariable() throws {
        let config = try Configuration.load(
            from: [
                "APP_ENV": "prod", "DATABASE_URL": "sqlite:///srv/coffer/data.db", "JWT_SECRET": String(repeating: "k", count: 40),
                "LOG_LEVEL": "DEBUG", "CORS_ORIGINS": "https://a.example, http://b.example:8080", "COFFER_LISTEN": "127.0.0.1:9000",
                "COFFER_WORKERS": "8", "COFFER_SQLITE_SYNCHRONOUS": "normal", "COFFER_SOCKET_MODE": "0666", "COFFER_DB_POOL_SIZE": "4",
            ], cores: 2)
        XCTAssertEqual(config.environment, .prod)
        XCTAssertEqual(config.database, .sqlite(path: "/srv/coffer/data.db"))
        XCTAssertEqual(config.databasePoolSize, 4)
        XCTAssertFalse(config.jwtSecretIsEphemeral)
        XCTAssertEqual(config.logLevel, "debug")
        XCTAssertEqual(config.corsOrigins, ["https://a.example", "http://b.example:8080"])
        XCTAssertEqual(config.listen, .tcp(host: "127.0.0.1", port: 9000))
        XCTAssertEqual(config.workers, 8)
        XCTAssertEqual(config.synchronous, .normal)
        XCTAssertEqual(config.socketMode, 0o666)
        XCTAssertEqual(try Configuration.load(from: ["COFFER_JOB_LEASE_S": "3"], cores: 2).jobLeaseSeconds, 3, "the shortest lease a renewal keeps")
    }

    func testInheritedSocketIsUsedOnlyWhenNoListenAddressIsGiven() throws {
        XCTAssertEqual(try Configuration.load(from: [:], cores: 1, inheritedSocket: 3).listen, .inherited(fd: 3))
        XCTAssertEqual(
            try Configuration.load(from: ["COFFER_LISTEN": "/run/c.sock"], cores: 1, inheritedSocket: 0).listen,
            .unix(path: "/run/c.sock"))
    }

    func testBadValuesNameTheVariable() {
        let cases: [(String, String)] = [
            ("APP_ENV", "staging"), ("DATABASE_URL", "mysql://db/coffer"), ("DATABASE_URL", "sqlite://"),
            ("DATABASE_URL", "postgres://"), ("DATABASE_URL", "postgres://db.example"), ("DATABASE_URL", "postgres://db.example/"),
            ("DATABASE_URL", "postgres://u:p@:5432/coffer"), ("DATABASE_URL", "postgres://db:99999/coffer"),
            ("DATABASE_URL", "postgres://db/cof fer"), ("COFFER_DB_POOL_SIZE", "0"),
            ("JWT_SECRET", "short"), ("LOG_LEVEL", "chatty"), ("CORS_ORIGINS", "example.com"), ("COFFER_LISTEN", "host:0"),
            ("COFFER_WORKERS", "0"), ("COFFER_WORKERS", "many"), ("COFFER_SQLITE_SYNCHRONOUS", "OFF"), ("COFFER_SOCKET_MODE", "999"),
            ("COFFER_DAILY_LIMIT", "0"), ("COFFER_PLAN_PREMIUM_DAILY_LIMIT", "-5"), ("COFFER_PLAN_BUSINESS_CARDS_PER_ACCOUNT", "0"),
            ("COFFER_PLAN_PREMIUM_HOLDS_PER_ACCOUNT", "lots"), ("COFFER_JOB_LEASE_S", "2"), ("COFFER_JOB_LEASE_S", "3601"),
        ]
        for (name, value) in cases {
            XCTAssertThrowsError(try Configuration.load(from: [name: value], cores: 2), "\(name)=\(value)") { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, name)
            }
        }
    }

    func testPlansTakeTheirLimitsFromTheEnvironmentAndKeepTheDocumentedDefaults() throws {
        let defaults = try Configuration.load(from: [:], cores: 2).plans
        XCTAssertEqual(defaults.standard, PlanLimits(dailyOutflow: 5_000_000, cardsPerAccount: 5, pendingHoldsPerAccount: 100))
        let configured = try Configuration.load(
            from: [
                "COFFER_DAILY_LIMIT": "700", "COFFER_PLAN_PREMIUM_DAILY_LIMIT": "9000", "COFFER_PLAN_PREMIUM_CARDS_PER_ACCOUNT": "7",
                "COFFER_PLAN_BUSINESS_HOLDS_PER_ACCOUNT": "12",
            ], cores: 2
        ).plans
        XCTAssertEqual(configured.standard.dailyOutflow, 700)
        XCTAssertEqual(
            configured[.premium], PlanLimits(dailyOutflow: 9000, cardsPerAccount: 7, pendingHoldsPerAccount: defaults.premium.pendingHoldsPerAccount))
        XCTAssertEqual(configured.business.pendingHoldsPerAccount, 12)
        XCTAssertEqual(configured.business.dailyOutflow, defaults.business.dailyOutflow)
    }

    func testPostgreSQLURLsAreAcceptedAndTheirPasswordIsNeverShown() throws {
        for url in [
            "postgres://coffer:s3cret@127.0.0.1:5432/coffer", "postgresql://coffer:s3cret@db.example/coffer?sslmode=require",
            "postgres://coffer:s3cret@[::1]:5432/coffer",
        ] {
            let config = try Configuration.load(from: ["DATABASE_URL": url], cores: 2)
            XCTAssertEqual(config.database, .postgres(url: url))
            XCTAssertFalse(config.database.description.contains("s3cret"), config.database.description)
            XCTAssertTrue(config.database.description.contains("coffer:***@"), config.database.description)
        }
        XCTAssertEqual(DatabaseURL.postgres(url: "postgres://db/coffer").description, "postgres://db/coffer")
        // libpq also takes the password as a query parameter.
        let inQuery = try Configuration.load(
            from: ["DATABASE_URL": "postgres://coffer@db.example/coffer?sslmode=require&password=s3cret&sslpassword=k3y"], cores: 2)
        XCTAssertEqual(inQuery.database.description, "postgres://coffer@db.example/coffer?sslmode=require&password=***&sslpassword=***")
        XCTAssertEqual(
            DatabaseURL.postgres(url: "postgres://coffer:s3cret@db/coffer?Password=s3cret").description, "postgres://coffer:***@db/coffer?Password=***")
        // libpq reads user:password up to the first @ or /, so a ? there is still the password's.
        XCTAssertEqual(DatabaseURL.postgres(url: "postgres://coffer:s3?cret@db/coffer").description, "postgres://coffer:***@db/coffer")
        XCTAssertEqual(DatabaseURL.splitPassword("postgres://coffer:s3%3Fc@db/coffer?sslmode=require").url, "postgres://coffer@db/coffer?sslmode=require")
        XCTAssertEqual(DatabaseURL.splitPassword("postgres://coffer:s3%3Fc@db/coffer").password, "s3?c")
        XCTAssertEqual(DatabaseURL.splitPassword("postgres://coffer:s3?c@db/coffer").password, "s3?c")
        XCTAssertNil(DatabaseURL.splitPassword("postgres://db/coffer?x=a@b").password)
        XCTAssertEqual(DatabaseURL.sqlite(path: "/srv/c.db").description, "sqlite:///srv/c.db")
        XCTAssertThrowsError(try DatabaseURL.parse("postgres://coffer:s3cret@db.example:0/coffer")) { error in
            XCTAssertFalse("\(error)".contains("s3cret"), "\(error)")
        }
        XCTAssertThrowsError(try DatabaseURL.parse("mysql://coffer:s3cret@db.example/coffer")) { error in
            XCTAssertFalse("\(error)".contains("s3cret"), "\(error)")
        }
    }

    func testProductionRequiresAJWTSecret() {
        XCTAssertThrowsError(try Configuration.load(from: ["APP_ENV": "prod"], cores: 2)) { error in
            XCTAssertTrue(String(describing: error).contains("JWT_SECRET"))
        }
    }
}
