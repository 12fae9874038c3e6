import CofferCore
import CofferStore

/// What the services of a process share: secrets, limits, the clock, and the per-process state
/// every worker's services must see (in-flight idempotency claims, hashing slots).
public struct ServiceSettings: Sendable {
    public var jwtSecret: [UInt8]
    public var auth: AuthSettings
    /// From `IdentityService.makeDummyHash`, computed once per process.
    public var dummyPasswordHash: String
    public var money: MoneySettings
    public var clock: Clock
    public var inFlightKeys: InFlightKeys
    /// Who owns which account, remembered for every worker of the process.
    public var accountOwnerships = AccountOwnershipCache()
    /// How many Argon2id computations may run at once (nil: no bound).
    public var hashingSlots: PasswordHashingSlots?
    public var webhooks = WebhookSettings()
    /// Where export files are written (`$DATA_DIR/exports`).
    public var exportsDirectory = "./var/exports"

    public init(
        jwtSecret: [UInt8], auth: AuthSettings, dummyPasswordHash: String, money: MoneySettings, clock: Clock,
        inFlightKeys: InFlightKeys, hashingSlots: PasswordHashingSlots?
    ) {
        self.jwtSecret = jwtSecret
        self.auth = auth
        self.dummyPasswordHash = dummyPasswordHash
        self.money = money
        self.clock = clock
        self.inFlightKeys = inFlightKeys
        self.hashingSlots = hashingSlots
    }
}

/// Every service of one worker, over that worker's store: the composition root (cofferd, the
/// tests) builds it, and the HTTP layer uses the services without ever seeing the store.
public struct WorkerServices {
    public let settings: ServiceSettings
    public let identity: IdentityService
    public let accounts: AccountService
    public let payments: PaymentService
    public let history: HistoryService
    public let cards: CardService
    public let holds: HoldService
    public let batches: TransferBatchService
    public let reversals: ReversalService
    public let events: EventFeed
    public let jobs: JobAdministration
    public let webhooks: WebhookService
    public let schedules: ScheduleService
    public let exports: ExportService
    public let administration: UserAdministration
    public let directory: AccountHolderDirectory
    public let database: DatabaseHealth
    public let databaseGauges: DatabaseGauges
    public let writes: IdempotentWrites

    public init(store: any Store, settings: ServiceSettings) {
        let clock = settings.clock
        self.settings = settings
        identity = IdentityService(
            store: store, tokens: AccessTokens(secret: settings.jwtSecret, settings: settings.auth, clock: clock),
            settings: settings.auth, dummyHash: settings.dummyPasswordHash, hashingSlots: settings.hashingSlots, clock: clock)
        accounts = AccountService(store: store, settings: settings.money, clock: clock)
        payments = PaymentService(store: store, settings: settings.money, ownerships: settings.accountOwnerships, clock: clock)
        history = HistoryService(store: store, clock: clock)
        cards = CardService(store: store, settings: settings.money, clock: clock)
        holds = HoldService(store: store, settings: settings.money, clock: clock)
        batches = TransferBatchService(store: store, settings: settings.money, clock: clock)
        reversals = ReversalService(store: store, settings: settings.money, clock: clock)
        events = EventFeed(store: store)
        jobs = JobAdministration(store: store, clock: clock)
        webhooks = WebhookService(store: store, settings: settings.webhooks, clock: clock)
        schedules = ScheduleService(store: store, clock: clock)
        exports = ExportService(store: store, directory: settings.exportsDirectory, clock: clock)
        administration = UserAdministration(store: store, clock: clock)
        directory = AccountHolderDirectory(store: store)
        database = DatabaseHealth(store: store)
        databaseGauges = DatabaseGauges(store: store)
        writes = IdempotentWrites(store: store, clock: clock, inFlight: settings.inFlightKeys)
    }
}
