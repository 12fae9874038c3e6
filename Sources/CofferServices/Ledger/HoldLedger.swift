import CofferCore
import CofferStore

/// Holds through the ledger engine (API.md "Holds"): placing one reserves money under the same
/// rules and lock as a withdrawal; capturing moves it with the hold as its funding; voiding
/// releases it. Every step locks the hold's account first and reads the hold again under that
/// lock, so of any number of concurrent captures and voids of one hold exactly one finds it
/// pending; the compare-and-set of `settleHold` asserts as much.
///
/// Whether a hold is still pending depends on the time it is judged at, and every time is read
/// before the lock is taken (and nodes' clocks differ). So each step judges at the later of its
/// own time and the latest time its account has seen, and leaves that time behind: under an
/// account's lock its holds are judged at times that never go back, and money a later judgement
/// released is never still reserved for an earlier one.
extension LedgerEngine {
    public struct HoldRequest: Sendable {
        public let accountID: String
        public let amount: Int64
        public let requestedCurrency: Currency?
        public let cardID: String?
        public let description: String?
        public let metadata: Metadata
        public let lifetimeSeconds: Int64
        public let at: Timestamp

        public init(
            accountID: String, amount: Int64, requestedCurrency: Currency?, cardID: String?, description: String?, metadata: Metadata,
            lifetimeSeconds: Int64, at: Timestamp
        ) {
            precondition(MoneyRules.amountRange.contains(amount) && Hold.lifetimeSeconds.contains(lifetimeSeconds))
            self.accountID = accountID
            self.amount = amount
            self.requestedCurrency = requestedCurrency
            self.cardID = cardID
            self.description = description
            self.metadata = metadata
            self.lifetimeSeconds = lifetimeSeconds
            self.at = at
        }
    }

    /// The rules and order of a withdrawal; the hold counts towards the daily limit of the day
    /// it is placed.
    public func placeHold(_ request: HoldRequest) throws -> Hold {
        guard let locked = try db.accountsForUpdate(ids: [request.accountID]).first else {
            throw AppError(.notFound, "There is no account with this id.")
        }
        let account = locked.account
        let at = max(request.at, locked.lastPostingAt)
        if let cardID = request.cardID {
            guard let card = try db.card(id: cardID), card.accountID == account.id else {
                throw AppError(.notFound, "There is no card with id \(cardID) on this account.", details: ["field": "card_id"])
            }
            guard card.status == .active else {
                throw AppError.validation([FieldError("card_id", "must be an active card of the account; this one is \(card.status.rawValue)")])
            }
        }
        try LedgerRules.requireActive(account)
        try LedgerRules.requireCurrency(request.requestedCurrency, matches: account.currency)
        try LedgerRules.requireOutflowAllowed(request.amount, outflow(account, plan: locked.ownerPlan, at: at))
        // A limit, so after `insufficient_funds` (API.md's order of business rules).
        let limits = plans[locked.ownerPlan]
        let pending = try db.pendingHoldCount(accountID: account.id, at: at)
        guard pending < limits.pendingHoldsPerAccount else {
            throw AppError(
                .limitExceeded, "An account can have at most \(limits.pendingHoldsPerAccount) pending holds under its owner's plan.",
                details: ["limit": .int(limits.pendingHoldsPerAccount), "pending_holds": .int(pending)])
        }
        try db.recordOutflow(accountID: account.id, day: at.date, amount: request.amount)
        let hold = Hold(
            id: Identifier.make(at: at), accountID: account.id, cardID: request.cardID, amount: request.amount, capturedAmount: 0,
            currency: account.currency, storedStatus: .pending, description: request.description, metadata: request.metadata,
            expiresAt: at.adding(seconds: request.lifetimeSeconds), createdAt: at, updatedAt: at)
        try db.insertHold(hold)
        try db.markAccountTime(accountID: account.id, at: at)
        return hold
    }

    /// Moves `amount` (default: all) of a pending hold out of its account, to the bank's cash (a
    /// withdrawal) or to `toAccountID` (a transfer), and releases the rest.
    public func capture(
        _ holdID: String, amount requested: Int64?, to toAccountID: String?, description: String?, at time: Timestamp
    ) throws -> (Hold, LedgerReceipt) {
        let (hold, time) = try lockedHold(holdID, alsoLocking: toAccountID, at: time)
        // A hold that is no longer pending is 422 whatever the amount (API.md): the bound below
        // comes from the stored hold, not from the request alone.
        try Self.requirePending(hold, at: time)
        let amount = requested ?? hold.amount
        guard amount <= hold.amount else {
            throw AppError.validation([FieldError("amount", "must be at most the hold's amount, \(hold.amount)")])
        }
        let kind: LedgerPosting.Kind =
            toAccountID.map { .transfer(fromAccountID: hold.accountID, toAccountID: $0) } ?? .withdrawal(accountID: hold.accountID)
        let receipt = try post(
            LedgerPosting(
                kind, amount: amount, requestedCurrency: nil, description: description ?? hold.description, metadata: hold.metadata,
                funding: .hold(hold), at: time))
        guard let outflow = receipt.transactions.first(where: { $0.accountID == hold.accountID }) else {
            preconditionFailure("a capture takes money from its hold's account")
        }
        guard try db.settleHold(id: hold.id, to: .captured, capturedAmount: amount, capturePostingID: outflow.id, at: time) else {
            preconditionFailure("hold \(hold.id) left pending under its account's lock")
        }
        return (hold.settled(.captured, captured: amount, at: time), receipt)
    }

    public func void(_ holdID: String, at time: Timestamp) throws -> Hold {
        let (hold, time) = try lockedHold(holdID, alsoLocking: nil, at: time)
        try Self.requirePending(hold, at: time)
        guard try db.settleHold(id: hold.id, to: .voided, capturedAmount: 0, capturePostingID: nil, at: time) else {
            preconditionFailure("hold \(hold.id) left pending under its account's lock")
        }
        try db.markAccountTime(accountID: hold.accountID, at: time)
        return hold.settled(.voided, captured: 0, at: time)
    }

    /// The hold as it is once its account (and `other`, in the same id-ordered lock) is locked,
    /// and the time to judge it at: `time`, or the account's latest if that is later.
    private func lockedHold(_ holdID: String, alsoLocking other: String?, at time: Timestamp) throws -> (Hold, Timestamp) {
        guard let seen = try db.hold(id: holdID) else { throw AppError(.notFound, "There is no hold with this id.") }
        let locked = try db.accountsForUpdate(ids: [seen.accountID] + (other.map { [$0] } ?? []))
        let latest = locked.first { $0.account.id == seen.accountID }?.lastPostingAt ?? time
        // Locked too: the expiry sweep changes holds without their account's lock.
        guard let hold = try db.holdForUpdate(id: holdID) else { preconditionFailure("holds are never deleted") }
        return (hold, max(time, latest))
    }

    static func requirePending(_ hold: Hold, at time: Timestamp) throws(AppError) {
        let status = hold.status(at: time)
        guard status == .pending else {
            throw AppError(
                .invalidTransition, "The hold is \(status.rawValue); only a pending hold can be captured or voided.",
                details: ["status": .string(status.rawValue)])
        }
    }
}
