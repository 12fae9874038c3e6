import CofferCore
import CofferCrypto
import CofferHTTP
import CofferPostgres
import CofferSQLite
import CofferServices
import CofferStore
import CofferTestSupport
import Foundation
import HTTPTypes
import Logging
import Synchronization
import XCTest

@testable import CofferAPI

/// A clock tests can move forward, to cross token expiry and lockout windows without sleeping, or
/// stop, to make what a fast machine does in one millisecond happen every time.
final class TestClock: Sendable {
    private let offsetMs = Atomic<Int64>(0)
    /// The millisecond the clock stopped at; 0 while it runs.
    private let stoppedAt = Atomic<Int64>(0)

    var clock: Clock {
        Clock { [self] in
            let stopped = stoppedAt.load(ordering: .relaxed)
            let base = stopped != 0 ? stopped : Timestamp.now().millisecondsSinceEpoch
            return Timestamp(millisecondsSinceEpoch: base + offsetMs.load(ordering: .relaxed))
        }
    }

    func advance(seconds: Int64) { offsetMs.add(seconds * 1000, ordering: .relaxed) }

    func stop() { stoppedAt.store(Timestamp.now().millisecondsSinceEpoch, ordering: .relaxed) }
}

/// The whole application in-process on a fresh store (a SQLite file, or a schema of its own on the
/// test PostgreSQL server), with cheap Argon2 parameters so the suite stays fast (the default
/// cost is covered by CryptoTests and the end-to-end tests).
final class TestApp {
    let backend: TestBackend
    /// The main application's store; tests read and write through it as the services do.
    let store: any Store
    /// Raw SQL against the same database, for what the API does not show.
    let sql: TestSQL
    /// SQLite only: the process's one committer, as cofferd has: every worker's writes go through it.
    let committer: GroupCommitter?
    /// SQLite only: the database file.
    let path: String?
    private let directory: URL
    private let postgresDatabase: PostgresTestDatabase?
    private let pool: PostgresPool?
    let app: Application
    let clock = TestClock()
    let secret = Array("an-in-process-test-secret-of-32+bytes".utf8)
    var auth = AuthSettings()
    private var counter = 0

    let settings: CofferService.Settings

    /// - Parameter webhooks: nil: as in development and tests (COFFER_WEBHOOK_ALLOW_PRIVATE=true,
    ///   plain HTTP allowed), so the test's receiver on loopback can be reached.
    init(money: MoneySettings = MoneySettings(), webhooks: WebhookSettings? = nil, backend: TestBackend = .sqlite) throws {
        // Before any store opens, as in cofferd: stores keep the metric handles they make.
        _ = TestMetrics.registry
        self.backend = backend
        directory = try TemporaryDirectory.make()
        switch backend {
        case .sqlite:
            let path = directory.appendingPathComponent("api.db").path
            // As in cofferd: migrated on a connection of its own, then one writer connection
            // behind the committer; the app's connection reads and hands its writes over.
            try Migrator().migrate(try Database(path: path))
            let committer = GroupCommitter(writer: try Database(path: path), capacity: 64)
            let database = try Database(path: path, options: .init(committer: committer))
            self.path = path
            self.committer = committer
            postgresDatabase = nil
            pool = nil
            store = SQLiteStore(database: database)
            sql = TestSQL(sqlite: database)
        case .postgres:
            guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
            // As in cofferd on PostgreSQL: one pool per process, shared by every worker.
            let pool = PostgresPool(url: database.url, size: 24)
            try PostgresMigrator().migrate(pool)
            path = nil
            committer = nil
            postgresDatabase = database
            self.pool = pool
            store = PostgresStore(pool: pool)
            sql = TestSQL(postgres: pool)
        }
        auth.passwordHashing = .init(memoryKiB: 1024, iterations: 1, parallelism: 1)
        var settings = CofferService.Settings(
            corsOrigins: [], startedAt: .now(), jwtSecret: secret, auth: auth,
            dummyPasswordHash: try IdentityService.makeDummyHash(auth), money: money, clock: clock.clock)
        settings.services.webhooks =
            webhooks
            ?? {
                var open = WebhookSettings()
                open.allowPrivateTargets = true
                open.allowPlainHTTP = true
                return open
            }()
        settings.services.exportsDirectory = directory.appendingPathComponent("exports").path
        settings.metricsExposition = TestMetrics.exposition
        self.settings = settings
        app = Self.application(store, settings: settings)
    }

    /// Requests sent at once, each from a worker of its own (as cofferd's); their statuses in the
    /// order given.
    func sendAtOnce(_ requests: [(method: HTTPRequest.Method, path: String, body: String, token: String?)]) -> [Int] {
        answersAtOnce(requests).map { $0.status.code }
    }

    /// The same, with the whole answers.
    func answersAtOnce(_ requests: [(method: HTTPRequest.Method, path: String, body: String, token: String?)]) -> [Response] {
        let makeWorker = workerFactory()
        let answers = Collected<(Int, Response)>()
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for (index, (method, path, body, token)) in requests.enumerated() {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? makeWorker() else { return answers.add((index, Response(status: .internalServerError))) }
                start.wait()
                var fields: HTTPFields = [.contentType: "application/json"]
                if let token { fields[.authorization] = "Bearer \(token)" }
                answers.add((index, app.handle(Request(method: method, path: path, headerFields: fields, body: Array(body.utf8)))))
            }.start()
        }
        for _ in requests { start.signal() }
        group.wait()
        return answers.all.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Builds another application over its own store, as each cofferd worker has (on SQLite its
    /// own connection to the same file; on PostgreSQL a store over the shared pool); call the
    /// factory on the thread that will use the application.
    /// - Parameter asSeparateProcesses: each application gets an `InFlightKeys` of its own, as
    ///   cofferd processes on several nodes have; only the database then ties them together.
    func workerFactory(asSeparateProcesses: Bool = false) -> @Sendable () throws -> Application {
        let settings = settings
        let settingsFor: @Sendable () -> CofferService.Settings = {
            var own = settings
            if asSeparateProcesses { own.services.inFlightKeys = InFlightKeys() }
            return own
        }
        if let pool {
            return { Self.application(PostgresStore(pool: pool), settings: settingsFor()) }
        }
        let path = path!
        let committer = committer
        return {
            Self.application(SQLiteStore(database: try Database(path: path, options: .init(committer: committer))), settings: settingsFor())
        }
    }

    /// Stores as cofferd's workers and job runner get them: on SQLite a connection of their own
    /// writing through the committer; on PostgreSQL the pool.
    func workerStoreFactory() -> @Sendable () throws -> any Store {
        if let pool { return { PostgresStore(pool: pool) } }
        let path = path!
        let committer = committer
        return { SQLiteStore(database: try Database(path: path, options: .init(committer: committer))) }
    }

    /// One worker's application, as cofferd builds it: its services over its own store.
    static func application(_ store: any Store, settings: CofferService.Settings) -> Application {
        CofferService.makeApplication(
            services: WorkerServices(store: store, settings: settings.services), settings: settings,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    deinit {
        committer?.stop()
        postgresDatabase?.drop()
        try? FileManager.default.removeItem(at: directory)
    }

    struct Reply {
        let response: Response
        let json: JSONValue
        var status: Int { response.status.code }
        var code: String? { json["error"]?["code"]?.stringValue }
        subscript(key: String) -> JSONValue? { json[key] }
    }

    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ target: String, body: JSONValue? = nil, token: String? = nil,
        headers: [String: String] = [:]
    ) -> Reply {
        send(method, target, rawBody: body?.serialized(), token: token, headers: headers)
    }

    /// The body exactly as given: for requests whose bytes matter (member order, whitespace).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ target: String, rawBody: [UInt8]?, token: String? = nil,
        headers: [String: String] = [:]
    ) -> Reply {
        var allHeaders = headers
        if rawBody != nil { allHeaders["Content-Type"] = allHeaders["Content-Type"] ?? "application/json" }
        if let token { allHeaders["Authorization"] = "Bearer \(token)" }
        let parts = target.split(separator: "?", maxSplits: 1)
        var fields = HTTPFields()
        for (name, value) in allHeaders { fields[HTTPField.Name(name)!] = value }
        let request = Request(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
            headerFields: fields, body: rawBody ?? [], remoteAddress: "127.0.0.9")
        let response = app.handle(request)
        let json = (try? JSONParser.parse(response.body)) ?? .null
        return Reply(response: response, json: json)
    }

    func get(_ target: String, token: String? = nil) -> Reply { send(.get, target, token: token) }
    func post(_ target: String, _ body: JSONValue, token: String? = nil) -> Reply { send(.post, target, body: body, token: token) }

    struct Member {
        let email: String
        let password: String
        let userID: String
        let holderID: String
        var accessToken: String
        var refreshToken: String
    }

    /// Signs up and logs in a fresh user.
    func member(password: String = "correct horse battery") -> Member {
        counter += 1
        let email = "user\(counter)-\(UUID().uuidString.prefix(6).lowercased())@example.com"
        let signup = post(
            "/v1/auth/signup",
            [
                "email": .string(email), "password": .string(password), "first_name": "Test",
                "last_name": "Member", "dob": "1990-01-15",
            ])
        precondition(signup.status == 201, "signup failed: \(signup.json.serializedString)")
        let login = post("/v1/auth/login", ["email": .string(email), "password": .string(password)])
        precondition(login.status == 200, "login failed: \(login.json.serializedString)")
        return Member(
            email: email, password: password, userID: signup["user"]!["id"]!.stringValue!,
            holderID: signup["account_holder"]!["id"]!.stringValue!,
            accessToken: login["access_token"]!.stringValue!, refreshToken: login["refresh_token"]!.stringValue!)
    }

    /// A fresh user given `role` directly in the database, then logged in again.
    func member(role: Role) throws -> Member {
        var member = member()
        try store.write { try $0.updateUser(id: member.userID, role: role, status: .active) }
        let login = post("/v1/auth/login", ["email": .string(member.email), "password": .string(member.password)])
        member.accessToken = login["access_token"]!.stringValue!
        member.refreshToken = login["refresh_token"]!.stringValue!
        return member
    }

    /// Opens an account for `member` and returns its id.
    func openAccount(_ member: Member, currency: String = "USD", type: String = "checking") -> String {
        let reply = post("/v1/accounts", ["type": .string(type), "currency": .string(currency)], token: member.accessToken)
        precondition(reply.status == 201, "open account failed: \(reply.json.serializedString)")
        return reply["id"]!.stringValue!
    }

    @discardableResult
    func deposit(_ member: Member, _ accountID: String, _ amount: Int64) -> Reply {
        post("/v1/transactions", ["account_id": .string(accountID), "type": "deposit", "amount": .int(amount)], token: member.accessToken)
    }

    func balance(_ accountID: String) throws -> Int64 {
        try sql.scalarInt("SELECT balance FROM accounts WHERE id = ?", [.text(accountID)])
    }

    /// Postings dated before the posting ahead of them in their account's journal (should be none).
    func journalGoingBackInTime() throws -> Int64 {
        try sql.scalarInt(
            """
            SELECT count(*) FROM (
                SELECT created_at < lag(created_at) OVER (PARTITION BY account_id ORDER BY seq) AS back FROM postings
            ) ordered WHERE back
            """)
    }

    typealias JobReport = (kind: JobKind, outcome: JobStatus, error: String?)

    /// A job runner's passes over this app's store, as cofferd's runs one every second, until no
    /// job is due: the periodic maintenance enqueued, the due jobs run. Returns the reports of the
    /// jobs that ran.
    /// - Parameter webhooks: the runner's own webhook settings, when they differ from the app's
    ///   (a node whose private targets are off).
    @discardableResult
    func runJobs(webhooks: WebhookSettings? = nil) throws -> [JobReport] {
        let reports = Collected<JobReport>()
        let runner = try jobRunner(webhooks: webhooks, reports: reports)
        for _ in 0..<100 where try runner.runDue() > 0 {}
        return reports.all
    }

    /// A job runner over this app's store, not started (a test drives it with `runDue`), whose
    /// reports land in `reports`.
    func jobRunner(
        webhooks: WebhookSettings? = nil, reports: Collected<JobReport>, configure: (inout JobRunner.Settings) -> Void = { _ in }
    ) throws -> JobRunner {
        var settings = JobRunner.Settings()
        settings.concurrency = 2
        configure(&settings)
        let makeWorker = workerStoreFactory()
        let work = BackgroundWork(
            clock: clock.clock, webhooks: webhooks ?? self.settings.services.webhooks, money: self.settings.services.money,
            exportsDirectory: self.settings.services.exportsDirectory)
        return try JobRunner(makeStore: makeWorker, work: work, settings: settings, clock: clock.clock) {
            reports.add(($0.kind, $1, $2))
        }
    }

    func journalCount() throws -> Int64 {
        try sql.scalarInt("SELECT count(*) FROM postings")
    }

    func auditEvents(action: AuditEvent.Action) throws -> [AuditEvent] {
        try store.read { try $0.auditEvents(AuditFilter(action: action), page: PageRequest(limit: 1000, offset: 0)).items }
    }
}
