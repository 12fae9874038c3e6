import CofferCore
import CofferStore

/// The single entry point through which money moves, on every store. Every deposit, withdrawal
/// and transfer goes through `post`, inside the caller's write transaction (a `StoreWriter`
/// exists only there): it loads the accounts for update, applies the rules in API.md's order,
/// appends balanced postings and moves the cached balances, asserting the invariants in pairs.
/// The store contributes only primitives; no rule lives in SQL.
public struct LedgerEngine {
    let db: any StoreWriter
    /// An outflow's daily limit is that of the plan its account's owner has now.
    let plans: PlanCatalogue
    let maxBalance: Int64

    public init(db: any StoreWriter, plans: PlanCatalogue, maxBalance: Int64) {
        precondition(maxBalance > 0)
        self.db = db
        self.plans = plans
        self.maxBalance = maxBalance
    }

    public func post(_ requested: LedgerPosting) throws -> LedgerReceipt {
        switch requested.kind {
        case let .deposit(accountID):
            let (account, posting) = try load(accountID, requested)
            try requireTakesPart(account, posting)
            try LedgerRules.requireCurrency(posting.requestedCurrency, matches: account.currency)
            let balance = try LedgerRules.credited(account, by: posting.amount, maxBalance: maxBalance)
            return try postAgainstBankCash(account, newBalance: balance, type: .deposit, posting)
        case let .withdrawal(accountID):
            let (locked, posting) = try loadLocked(accountID, requested)
            let account = locked.account
            try requireTakesPart(account, posting)
            try LedgerRules.requireCurrency(posting.requestedCurrency, matches: account.currency)
            try requireFunded(locked, posting)
            return try postAgainstBankCash(account, newBalance: account.balance - posting.amount, type: .withdrawal, posting)
        case let .transfer(fromID, toID):
            // Both locked in one call, in id order, so two opposite transfers never wait on each other.
            let locked = try db.accountsForUpdate(ids: [fromID, toID])
            guard let lockedFrom = locked.first(where: { $0.account.id == fromID }),
                let to = locked.first(where: { $0.account.id == toID })?.account
            else {
                throw AppError(.notFound, "There is no account with this id.")
            }
            let from = lockedFrom.account
            let posting = Self.inTimeOrder(requested, after: locked)
            try requireTakesPart(from, posting)
            try requireTakesPart(to, posting)
            try LedgerRules.requireCurrency(posting.requestedCurrency, matches: from.currency)
            try LedgerRules.requireSameCurrency(from: from, to: to)
            try LedgerRules.requireDistinct(from: from, to: to)
            try requireFunded(lockedFrom, posting)
            let toBalance = try LedgerRules.credited(to, by: posting.amount, maxBalance: maxBalance)
            return try postTransfer(from: from, to: to, toBalance: toBalance, posting)
        }
    }

    /// Locks `ids` (customer accounts, in id order) for the rest of the transaction, for a caller
    /// that must read something under their locks before it posts (a reversal, a hold, a batch,
    /// which takes every lock it needs up front in one global order). Posting locks them again,
    /// which costs nothing.
    public func lock(_ ids: [String]) throws -> [Account] {
        try db.accountsForUpdate(ids: ids).map(\.account)
    }

    /// Active, or for a correction, anything but closed.
    private func requireTakesPart(_ account: Account, _ posting: LedgerPosting) throws(AppError) {
        if case .correction = posting.funding {
            if account.status == .closed { try LedgerRules.requireActive(account) }
            return
        }
        try LedgerRules.requireActive(account)
    }

    /// The outflow's funding rules: the available balance and the daily limit for an ordinary
    /// movement, the available balance alone for a correction, nothing for a capture (its hold
    /// reserved the money, which the balance therefore still holds).
    private func requireFunded(_ locked: LockedAccount, _ posting: LedgerPosting) throws {
        let account = locked.account
        switch posting.funding {
        case .available:
            try LedgerRules.requireOutflowAllowed(posting.amount, outflow(account, plan: locked.ownerPlan, at: posting.at))
        case .correction:
            let held = try db.outflowFigures(accountID: account.id, day: posting.at.date, at: posting.at).held
            let available = account.balance - held
            try LedgerRules.requireOutflowAllowed(
                posting.amount, LedgerRules.Outflow(available: available, usedToday: 0, dailyLimit: Int64.max))
        case let .hold(hold):
            precondition(hold.accountID == account.id && posting.amount <= hold.amount, "a capture takes from its hold's account")
            precondition(posting.amount <= account.balance, "a pending hold's money is always in the balance")
        }
    }

    /// Callers check existence and ownership first (404); this covers an account gone since.
    private func load(_ id: String, _ requested: LedgerPosting) throws -> (Account, LedgerPosting) {
        let (locked, posting) = try loadLocked(id, requested)
        return (locked.account, posting)
    }

    private func loadLocked(_ id: String, _ requested: LedgerPosting) throws -> (LockedAccount, LedgerPosting) {
        guard let locked = try db.accountsForUpdate(ids: [id]).first else { throw AppError(.notFound, "There is no account with this id.") }
        return (locked, Self.inTimeOrder(requested, after: [locked]))
    }

    /// The posting, dated no earlier than the latest posting of any account it locked. The time is
    /// read before the lock is taken, and nodes' clocks differ (or one is stepped back), so without
    /// this an account's journal could go back in time along its sequence; statements and balances
    /// at a point in time rely on the two orders agreeing.
    static func inTimeOrder(_ posting: LedgerPosting, after locked: [LockedAccount]) -> LedgerPosting {
        let latest = locked.map(\.lastPostingAt).max() ?? posting.at
        return latest > posting.at ? posting.dated(latest) : posting
    }

    /// What an ordinary outflow (or a new hold) may take: the balance less the account's pending
    /// holds, and what is left of today's limit under the owner's plan.
    func outflow(_ account: Account, plan: Plan, at time: Timestamp) throws -> LedgerRules.Outflow {
        let figures = try db.outflowFigures(accountID: account.id, day: time.date, at: time)
        precondition(figures.held <= account.balance, "pending holds of \(account.id) exceed its balance")
        return LedgerRules.Outflow(
            available: account.balance - figures.held, usedToday: figures.usedToday, dailyLimit: plans[plan].dailyOutflow)
    }

    // MARK: Writing

    private struct Leg {
        let accountID: String
        let type: TransactionType
        /// Signed: positive raises the account's balance.
        let amount: Int64
        let balanceBefore: Int64
        let balanceAfter: Int64
    }

    private func postAgainstBankCash(_ account: Account, newBalance: Int64, type: TransactionType, _ posting: LedgerPosting) throws -> LedgerReceipt {
        let bank = try db.bankCashAccount(currency: account.currency, for: account.id, at: posting.at)
        let customerDelta = type == .deposit ? posting.amount : -posting.amount
        guard let bankAfter = bank.balance.addingChecked(-customerDelta) else {
            // The bank's side is the negated sum of every customer balance in the currency; with
            // enough accounts near the maximum it could leave 64 bits, and must be refused, not wrap.
            throw AppError(.balanceLimitExceeded, "The bank's \(account.currency.code) cash account cannot absorb this amount.")
        }
        let legs = [
            Leg(accountID: account.id, type: type, amount: customerDelta, balanceBefore: account.balance, balanceAfter: newBalance),
            Leg(accountID: bank.id, type: type, amount: -customerDelta, balanceBefore: bank.balance, balanceAfter: bankAfter),
        ]
        let written = try write(legs, currency: account.currency, transferID: nil, posting, reversesID: posting.reversesID)
        return LedgerReceipt(transactions: [written[0]], transfer: nil)
    }

    private func postTransfer(from: Account, to: Account, toBalance: Int64, _ posting: LedgerPosting) throws -> LedgerReceipt {
        let transfer = Transfer(
            id: Identifier.make(at: posting.at), fromAccountID: from.id, toAccountID: to.id, amount: posting.amount,
            currency: from.currency, description: posting.description, createdAt: posting.at, metadata: posting.metadata,
            reversesID: posting.reversesID)
        try db.insertTransfer(transfer)
        let legs = [
            Leg(
                accountID: from.id, type: .transferOut, amount: -posting.amount, balanceBefore: from.balance,
                balanceAfter: from.balance - posting.amount),
            Leg(accountID: to.id, type: .transferIn, amount: posting.amount, balanceBefore: to.balance, balanceAfter: toBalance),
        ]
        let written = try write(legs, currency: from.currency, transferID: transfer.id, posting, reversesID: nil)
        return LedgerReceipt(transactions: written, transfer: transfer)
    }

    /// Appends the legs of one entry and moves the cached balances, asserting the invariants in
    /// pairs: the legs sum to zero before the write, and each balance reads back as computed. The
    /// first leg is the customer's: it alone carries the metadata and the reversal link.
    private func write(
        _ legs: [Leg], currency: Currency, transferID: String?, _ posting: LedgerPosting, reversesID: String?
    ) throws -> [LedgerTransaction] {
        precondition(legs.reduce(0) { $0 + $1.amount } == 0, "an entry's postings must sum to zero")
        let entryID = Identifier.make(at: posting.at)
        var transactions: [LedgerTransaction] = []
        for (index, leg) in legs.enumerated() {
            precondition(leg.balanceBefore.addingChecked(leg.amount) == leg.balanceAfter, "balance arithmetic")
            let id = Identifier.make(at: posting.at)
            // A transfer's two legs are both the customers'; a cash movement's second is the bank's.
            let isCustomers = index == 0 || transferID != nil
            let metadata = isCustomers ? posting.metadata : .empty
            let reverses = index == 0 ? reversesID : nil
            try db.appendPosting(
                JournalPosting(
                    id: id, entryID: entryID, accountID: leg.accountID, type: leg.type, amount: leg.amount, currency: currency,
                    balanceAfter: leg.balanceAfter, description: posting.description, transferID: transferID, createdAt: posting.at,
                    metadata: metadata, reversesID: reverses))
            transactions.append(
                LedgerTransaction(
                    id: id, accountID: leg.accountID, type: leg.type, amount: abs(leg.amount),
                    currency: currency, balanceAfter: leg.balanceAfter, description: posting.description,
                    transferID: transferID, createdAt: posting.at, metadata: metadata, reversesID: reverses))
        }
        // The pair: the compare-and-set proves each balance was what the rules saw, and the
        // read-back that it is now what they computed.
        let moves = legs.map { BalanceMove(accountID: $0.accountID, from: $0.balanceBefore, to: $0.balanceAfter) }
        let readBacks = try db.moveBalances(moves, at: posting.at)
        precondition(readBacks.count == legs.count, "every balance move is answered")
        for (leg, readBack) in zip(legs, readBacks) {
            guard let readBack else { preconditionFailure("account \(leg.accountID) changed under the write lock") }
            precondition(readBack == leg.balanceAfter, "balance of \(leg.accountID) reads back \(readBack), expected \(leg.balanceAfter)")
            // Only ordinary outflows count towards the daily limit: a capture was counted as its
            // hold, and a correction never counts.
            if case .available = posting.funding, leg.type == .withdrawal || leg.type == .transferOut, leg.amount < 0 {
                try db.recordOutflow(accountID: leg.accountID, day: posting.at.date, amount: -leg.amount)
            }
        }
        return transactions
    }
}
