import CofferCore
import CofferHTTP
import CofferServices
import Logging

/// Assembles the HTTP application for one worker: its services, the routes of every
/// resource, and the translation of lower-layer errors into catalogue errors.
public enum CofferService {
    public struct Settings: Sendable {
        public var corsOrigins: [String]
        /// `COFFER_SERVER_NAMES`: the hosts a same-origin request may name.
        public var serverNames: [String] = Configuration.serverNamesDefault
        public var startedAt: Timestamp
        /// What the services of every worker share (secrets, limits, clock, per-process state).
        public var services: ServiceSettings
        /// The process's metrics in Prometheus text format, for `GET /metrics`; nil serves no such path.
        public var metricsExposition: (@Sendable () -> [UInt8])?

        public init(
            corsOrigins: [String], startedAt: Timestamp, jwtSecret: [UInt8], auth: AuthSettings,
            dummyPasswordHash: String, money: MoneySettings = MoneySettings(), clock: Clock = .system,
            inFlightKeys: InFlightKeys = InFlightKeys()
        ) {
            self.corsOrigins = corsOrigins
            self.startedAt = startedAt
            services = ServiceSettings(
                jwtSecret: jwtSecret, auth: auth, dummyPasswordHash: dummyPasswordHash, money: money, clock: clock,
                inFlightKeys: inFlightKeys, hashingSlots: nil)
        }
    }

    /// - Parameter services: this worker's services, over its own store.
    public static func makeApplication(services: WorkerServices, settings: Settings, logger: Logger) -> Application {
        var router = Router()
        let clock = settings.services.clock
        let money = services.settings.money
        let authenticator = Authenticator(identity: services.identity)
        let writes = IdempotentResponses(writes: services.writes)
        HealthHandlers(database: services.database, startedAt: settings.startedAt).register(in: &router)
        MetadataHandlers(openAPIDocument: openAPIDocument).register(in: &router)
        MetricsHandlers(gauges: services.databaseGauges, exposition: settings.metricsExposition).register(in: &router)
        AuthHandlers(identity: services.identity, authenticator: authenticator, clock: clock).register(in: &router)
        AccountHolderHandlers(directory: services.directory, authenticator: authenticator).register(in: &router)
        AdminHandlers(administration: services.administration, authenticator: authenticator).register(in: &router)
        AccountHandlers(accounts: services.accounts, settings: money, authenticator: authenticator, writes: writes).register(in: &router)
        TransactionHandlers(
            payments: services.payments, reversals: services.reversals, history: services.history, settings: money,
            authenticator: authenticator, writes: writes
        ).register(in: &router)
        TransferHandlers(
            payments: services.payments, batches: services.batches, reversals: services.reversals, history: services.history,
            settings: money, authenticator: authenticator, writes: writes
        ).register(in: &router)
        HoldHandlers(holds: services.holds, settings: money, authenticator: authenticator, writes: writes).register(in: &router)
        EventHandlers(feed: services.events, authenticator: authenticator).register(in: &router)
        JobHandlers(jobs: services.jobs, authenticator: authenticator).register(in: &router)
        WebhookHandlers(webhooks: services.webhooks, authenticator: authenticator, writes: writes).register(in: &router)
        ScheduleHandlers(schedules: services.schedules, settings: money, authenticator: authenticator, writes: writes).register(in: &router)
        ExportHandlers(exports: services.exports, authenticator: authenticator, writes: writes).register(in: &router)
        CardHandlers(cards: services.cards, authenticator: authenticator, writes: writes).register(in: &router)
        StatementHandlers(history: services.history, authenticator: authenticator).register(in: &router)
        return Application(
            router: router, cors: CORSPolicy(allowedOrigins: settings.corsOrigins, serverNames: settings.serverNames), logger: logger,
            translate: StoreFailures.catalogueError(for:))
    }

    /// Loaded once per process and shared by every worker.
    static let openAPIDocument = MetadataHandlers.loadOpenAPIDocument()
}
