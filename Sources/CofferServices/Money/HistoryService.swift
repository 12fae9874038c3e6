import CofferCore
import CofferStore

/// Reading the journal: transactions, transfers and statements, filtered to what the caller may see.
public struct HistoryService {
    let store: any Store
    let clock: Clock

    public init(store: any Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// The holder whose accounts a user's unfiltered list covers; nil for staff (everything).
    private func scope(_ principal: Principal, in db: any StoreReader) throws -> String?? {
        guard !principal.role.seesEverything else { return .some(nil) }
        guard let own = try db.accountHolder(userID: principal.userID) else { return .none }
        return .some(own.id)
    }

    private func requireVisibleAccount(_ id: String, _ principal: Principal, in db: any StoreReader) throws {
        guard let account = try db.account(id: id), account.isVisible(to: principal) else {
            throw AppError(.notFound, "There is no account with this id.")
        }
    }

    public func transactions(_ filter: TransactionFilter, for principal: Principal, page: PageRequest) throws -> Page<LedgerTransaction> {
        try store.read { db in
            var filter = filter
            if let accountID = filter.accountID {
                try requireVisibleAccount(accountID, principal, in: db)
            } else {
                guard case let .some(holderID) = try scope(principal, in: db) else { return Page(items: [], total: 0, nextAfter: nil) }
                filter.holderID = holderID
            }
            return try db.transactions(filter, page: page)
        }
    }

    public func transaction(_ id: String, for principal: Principal) throws -> LedgerTransaction {
        try store.read { db in
            guard let transaction = try db.transaction(id: id), let account = try db.account(id: transaction.accountID),
                account.isVisible(to: principal)
            else {
                throw AppError(.notFound, "There is no transaction with this id.")
            }
            return transaction
        }
    }

    public func transfers(
        accountID: String?, metadata: [String: String] = [:], for principal: Principal, page: PageRequest
    ) throws -> Page<Transfer> {
        try store.read { db in
            if let accountID {
                try requireVisibleAccount(accountID, principal, in: db)
                return try db.transfers(accountID: accountID, holderID: nil, metadata: metadata, page: page)
            }
            guard case let .some(holderID) = try scope(principal, in: db) else { return Page(items: [], total: 0, nextAfter: nil) }
            return try db.transfers(accountID: nil, holderID: holderID, metadata: metadata, page: page)
        }
    }

    /// Visible to the owner of either side.
    public func transfer(_ id: String, for principal: Principal) throws -> Transfer {
        try store.read { db in
            guard let transfer = try db.transfer(id: id) else { throw AppError(.notFound, "There is no transfer with this id.") }
            let sides = try [transfer.fromAccountID, transfer.toAccountID].compactMap { try db.account(id: $0) }
            guard sides.contains(where: { $0.isVisible(to: principal) }) else { throw AppError(.notFound, "There is no transfer with this id.") }
            return transfer
        }
    }

    public struct Statement: Sendable {
        public let account: Account
        public let from: CivilDate
        public let to: CivilDate
        public let totals: StatementTotals
        public let lines: Page<LedgerTransaction>
    }

    /// Dates are inclusive UTC days; without them the whole history up to today.
    public func statement(accountID: String, from: CivilDate?, to: CivilDate?, for principal: Principal, page: PageRequest) throws -> Statement {
        try store.read { db in
            guard let account = try db.account(id: accountID), account.isVisible(to: principal) else {
                throw AppError(.notFound, "There is no account with this id.")
            }
            let last = to ?? clock.now().date
            // `from > to` is refused with the defaults applied too (a `from` after today); a
            // defaulted `from` (the account's first day) never passes a `to` given before it.
            if let from, from > last { throw AppError.invalidParameter("from", "must not be after to (today when to is not given)") }
            let history = try db.firstPostingTime(accountID: account.id).map { min($0, account.createdAt).date } ?? account.createdAt.date
            let first = from ?? min(history, last)
            let start = first.startOfDay
            let end = CivilDate(daysSinceEpoch: last.daysSinceEpoch + 1).startOfDay
            // The closing balance is derived from the other three with checked arithmetic, so the
            // identity holds by construction; a period too large for 64 bits is the client's to narrow.
            guard let totals = try db.statementTotals(accountID: account.id, from: start, until: end) else {
                throw AppError.invalidParameter("from", "spans totals too large to add up in 64 bits; ask for a shorter period")
            }
            let lines = try db.statementLines(accountID: account.id, from: start, until: end, page: page)
            return Statement(
                account: account, from: first, to: last, totals: totals,
                lines: Page(items: lines.items, total: totals.count, nextAfter: lines.nextAfter))
        }
    }
}
