import CofferCore
import CofferHTTP
import CofferServices
import CofferStore
import Logging

/// Assembles the HTTP application for one worker: its database connection, the routes of every
/// resource, and the translation of lower-layer errors into catalogue errors.
public enum CofferService {
    public struct Settings: Sendable {
        public var corsOrigins: [String]
        /// `COFFER_SERVER_NAMES`: the hosts a same-origin request may name.
        public var serverNames: [String] = Configuration.serverNamesDefault
        public var startedAt: Timestamp
        public var jwtSecret: [UInt8]
        public var auth: AuthSettings
        /// From `IdentityService.makeDummyHash`, computed once per process.
        public var dummyPasswordHash: String
        public var money: MoneySettings
        public var clock: Clock
        /// One per process: shared by every worker's application.
        public var inFlightKeys: InFlightKeys
        /// One per process: how many Argon2id computations may run at once (nil: no bound).
        public var hashingSlots: PasswordHashingSlots?

        public init(
            corsOrigins: [String], startedAt: Timestamp, jwtSecret: [UInt8], auth: AuthSettings,
            dummyPasswordHash: String, money: MoneySettings = MoneySettings(), clock: Clock = .system,
            inFlightKeys: InFlightKeys = InFlightKeys()
        ) {
            self.money = money
            self.inFlightKeys = inFlightKeys
            self.corsOrigins = corsOrigins
            self.startedAt = startedAt
            self.jwtSecret = jwtSecret
            self.auth = auth
            self.dummyPasswordHash = dummyPasswordHash
            self.clock = clock
        }
    }

    public static func makeApplication(database: Database, settings: Settings, logger: Logger) -> Application {
        var router = Router()
        let clock = settings.clock
        let tokens = AccessTokens(secret: settings.jwtSecret, settings: settings.auth, clock: clock)
        let authenticator = Authenticator(tokens: tokens, db: database)
        let identity = IdentityService(
            db: database, tokens: tokens, settings: settings.auth,
            dummyHash: settings.dummyPasswordHash, hashingSlots: settings.hashingSlots, clock: clock)
        HealthHandlers(database: database, startedAt: settings.startedAt).register(in: &router)
        MetadataHandlers(openAPIDocument: openAPIDocument).register(in: &router)
        AuthHandlers(identity: identity, authenticator: authenticator, clock: clock).register(in: &router)
        AccountHolderHandlers(directory: AccountHolderDirectory(db: database), authenticator: authenticator).register(in: &router)
        AdminHandlers(administration: UserAdministration(db: database, clock: clock), authenticator: authenticator)
            .register(in: &router)
        let money = settings.money
        let writes = IdempotentWrites(db: database, clock: clock, inFlight: settings.inFlightKeys)
        let payments = PaymentService(settings: money, clock: clock)
        let history = HistoryService(db: database, clock: clock)
        AccountHandlers(
            accounts: AccountService(db: database, settings: money, clock: clock), settings: money,
            authenticator: authenticator, writes: writes
        ).register(in: &router)
        TransactionHandlers(payments: payments, history: history, settings: money, authenticator: authenticator, writes: writes)
            .register(in: &router)
        TransferHandlers(payments: payments, history: history, settings: money, authenticator: authenticator, writes: writes)
            .register(in: &router)
        CardHandlers(cards: CardService(db: database, settings: money, clock: clock), authenticator: authenticator, writes: writes)
            .register(in: &router)
        StatementHandlers(history: history, authenticator: authenticator).register(in: &router)
        return Application(
            router: router, cors: CORSPolicy(allowedOrigins: settings.corsOrigins, serverNames: settings.serverNames), logger: logger,
            translate: translate)
    }

    /// Loaded once per process and shared by every worker.
    static let openAPIDocument = MetadataHandlers.loadOpenAPIDocument()

    /// A database that is busy past its timeout or unreadable is a temporary outage (503), not a bug.
    static func translate(_ error: any Error) -> AppError? {
        guard let databaseError = error as? DatabaseError else { return nil }
        switch databaseError.kind {
        case .busy, .unavailable:
            return AppError(.serviceUnavailable, retryAfterSeconds: 1)
        case .constraint, .other:
            return nil
        }
    }
}
