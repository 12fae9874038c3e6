import ArgumentParser
import CofferCore
import CofferCrypto
import CofferServices
import CofferStore

struct SeedDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Create demo users with accounts and four months of history (see README).",
        discussion: "Users: ann@demo.coffer and bob@demo.coffer, password \(SeedDemo.password). Running it twice changes nothing."
    )

    static let password = "demo-password-2026"
    static let days: Int64 = 120

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    @Option(name: .long, help: "Also add this many small card payments and refunds to Ann's checking account (for load and statement benchmarks).")
    var extraTransactions = 0

    func run() throws {
        let db = try DatabaseLocation.open(databaseURL)
        if try db.readOnce({ try $0.user(email: "ann@demo.coffer") }) == nil {
            try seed(db)
        } else {
            print("demo data already present")
        }
        if extraTransactions > 0 { try addVolume(db) }
    }

    /// Alternating small deposits and withdrawals one millisecond apart, ending now (so the
    /// journal stays in time order), committed in batches so a large volume takes seconds.
    private func addVolume(_ db: any Store) throws {
        let checking = try db.read { db -> Account? in
            guard let ann = try db.user(email: "ann@demo.coffer"), let holder = try db.accountHolder(userID: ann.user.id) else { return nil }
            return try db.accounts(holderID: holder.id, page: PageRequest(limit: 1, offset: 0)).items.first
        }
        guard let checking else {
            throw CommandFailure("Ann's checking account is missing")
        }
        let first = Timestamp.now().millisecondsSinceEpoch - Int64(extraTransactions)
        let batch = 5_000
        var written = 0
        let bar = ProgressBar("seed", total: extraTransactions)
        defer { bar.finish() }
        while written < extraTransactions {
            let count = min(batch, extraTransactions - written)
            try db.write { tx in
                // Years of history in one day's dates: no daily limit applies to it.
                var plans = PlanCatalogue()
                plans.standard.dailyOutflow = Int64.max / 2
                let ledger = LedgerEngine(db: tx, plans: plans, maxBalance: MoneySettings().maxBalance)
                for index in written..<(written + count) {
                    let at = Timestamp(millisecondsSinceEpoch: first + Int64(index))
                    let kind: LedgerPosting.Kind = index % 2 == 0 ? .deposit(accountID: checking.id) : .withdrawal(accountID: checking.id)
                    _ = try ledger.post(
                        LedgerPosting(
                            kind, amount: 100 + Int64(index % 7), requestedCurrency: nil,
                            description: index % 2 == 0 ? "Refund" : "Card payment", at: at))
                }
            }
            written += count
            bar.update(written)
        }
        print("added \(extraTransactions) transactions to \(checking.id)")
    }

    private func seed(_ db: any Store) throws {
        var auth = AuthSettings()
        auth.passwordHashing = PasswordHasher.Parameters()
        let start = Timestamp.now().adding(seconds: -Self.days * 86_400)
        let identity = IdentityService(
            store: db, tokens: AccessTokens(secret: SecureRandom.bytes(32), settings: auth), settings: auth,
            dummyHash: "", clock: Clock { start })
        let ann = try identity.signup(
            SignupInput(
                email: "ann@demo.coffer", password: Self.password, firstName: "Ann", lastName: "Example",
                dateOfBirth: CivilDate(year: 1988, month: 4, day: 12)!), origin: .commandLine)
        let bob = try identity.signup(
            SignupInput(
                email: "bob@demo.coffer", password: Self.password, firstName: "Bob", lastName: "Sample",
                dateOfBirth: CivilDate(year: 1979, month: 11, day: 3)!), origin: .commandLine)
        let usd = Currency(code: "USD")!
        func open(_ holder: AccountHolder, _ userID: String, _ type: AccountType, _ currency: Currency) throws -> String {
            let account = Account(
                id: Identifier.make(at: start), holderID: holder.id, ownerUserID: userID, type: type, currency: currency,
                balance: 0, status: .active, createdAt: start)
            try db.write { try $0.insertAccount(account) }
            return account.id
        }
        let annChecking = try open(ann.1, ann.0.id, .checking, usd)
        let annSavings = try open(ann.1, ann.0.id, .savings, usd)
        let annEuros = try open(ann.1, ann.0.id, .checking, Currency(code: "EUR")!)
        let bobChecking = try open(bob.1, bob.0.id, .checking, usd)

        var random = DemoRandom(seed: 2026)
        var events: [(Timestamp, LedgerPosting.Kind, Int64, String)] = []
        for day in 0..<Self.days {
            let morning = start.adding(seconds: day * 86_400 + 9 * 3600)
            if day % 30 == 0 {
                events.append((morning, .deposit(accountID: annChecking), 420_000, "Salary"))
                events.append((morning.adding(seconds: 60), .deposit(accountID: bobChecking), 310_000, "Salary"))
                events.append((morning.adding(seconds: 3600), .transfer(fromAccountID: annChecking, toAccountID: bobChecking), 145_000, "Rent"))
                events.append((morning.adding(seconds: 7200), .transfer(fromAccountID: annChecking, toAccountID: annSavings), 50_000, "Monthly saving"))
                events.append((morning.adding(seconds: 7300), .deposit(accountID: annEuros), 20_000, "Travel money"))
            }
            if day % 7 == 3 {
                events.append((morning.adding(seconds: 8 * 3600), .withdrawal(accountID: annChecking), random.next(in: 4_000...16_000), "Groceries"))
                events.append((morning.adding(seconds: 9 * 3600), .withdrawal(accountID: bobChecking), random.next(in: 3_000...12_000), "Groceries"))
            }
            if random.next(in: 0...2) == 0 {
                events.append((morning.adding(seconds: 2 * 3600), .withdrawal(accountID: annChecking), random.next(in: 350...900), "Coffee"))
            }
            if day % 14 == 5 {
                events.append(
                    (
                        morning.adding(seconds: 10 * 3600), .transfer(fromAccountID: bobChecking, toAccountID: annChecking),
                        random.next(in: 1_500...6_000), "Dinner, split"
                    ))
            }
        }
        for (time, kind, amount, description) in events.sorted(by: { $0.0 < $1.0 }) {
            _ = try db.write { tx in
                try LedgerEngine(db: tx, plans: PlanCatalogue(), maxBalance: MoneySettings().maxBalance).post(
                    LedgerPosting(kind, amount: amount, requestedCurrency: nil, description: description, at: time))
            }
        }
        print("seeded ann@demo.coffer and bob@demo.coffer (password \(Self.password)): 4 accounts, \(events.count) movements over \(Self.days) days")
    }
}

/// A small deterministic generator (SplitMix64), so every seeded database tells the same story.
struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return range.lowerBound + Int64(z % UInt64(range.upperBound - range.lowerBound + 1))
    }
}
