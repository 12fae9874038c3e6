import CofferCore
import CofferCrypto
import CofferStore

/// Cards: no full card number exists anywhere; only `last4` and the expiry are generated and kept.
public struct CardService {
    let store: any Store
    let settings: MoneySettings
    let clock: Clock

    public init(store: any Store, settings: MoneySettings, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    public func issue(in tx: WriteTransaction, accountID: String, type: CardType, by principal: Principal, origin: RequestOrigin) throws -> Card {
        let db = tx.db
        // Locked, so two cards issued at once on PostgreSQL cannot both pass the count.
        guard let locked = try db.accountsForUpdate(ids: [accountID]).first, locked.account.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no account with this id.")
        }
        let account = locked.account
        try LedgerRules.requireActive(account)
        let live = try db.liveCardCount(accountID: account.id)
        let limit = settings.plans[locked.ownerPlan].cardsPerAccount
        guard live < limit else {
            throw AppError(
                .limitExceeded, "An account can have at most \(limit) cards that are not cancelled under its owner's plan.",
                details: ["limit": .int(limit), "cards": .int(live)])
        }
        let now = clock.now()
        let today = now.date
        let digits = SecureRandom.bytes(4).map { String($0 % 10) }.joined()
        let card = Card(
            id: Identifier.make(at: now), accountID: account.id, type: type, last4: digits, expiryMonth: today.month,
            expiryYear: today.year + settings.cardValidityYears, status: .active, createdAt: now)
        try db.insertCard(card)
        try AuditRecorder(origin: origin, clock: clock).record(db, .cardCreate, actor: principal.userID, target: ("card", card.id))
        return card
    }

    public func card(_ id: String, for principal: Principal) throws -> Card {
        try store.read { db in try visibleCard(id, principal, in: db).0 }
    }

    private func visibleCard(_ id: String, _ principal: Principal, in db: any StoreReader) throws -> (Card, Account) {
        guard let card = try db.card(id: id), let account = try db.account(id: card.accountID), account.isVisible(to: principal) else {
            throw AppError(.notFound, "There is no card with this id.")
        }
        return (card, account)
    }

    public func list(accountID: String?, for principal: Principal, page: PageRequest) throws -> Page<Card> {
        try store.read { db in
            if let accountID {
                guard let account = try db.account(id: accountID), account.isVisible(to: principal) else {
                    throw AppError(.notFound, "There is no account with this id.")
                }
                return try db.cards(accountID: account.id, holderID: nil, page: page)
            }
            if principal.role.seesEverything { return try db.cards(accountID: nil, holderID: nil, page: page) }
            guard let own = try db.accountHolder(userID: principal.userID) else { return Page(items: [], total: 0, nextAfter: nil) }
            return try db.cards(accountID: nil, holderID: own.id, page: page)
        }
    }

    /// active ↔ frozen, and anything → cancelled, which is final.
    public func changeStatus(_ id: String, to status: CardStatus, by principal: Principal, origin: RequestOrigin) throws -> Card {
        try store.write { db in
            let (seen, _) = try visibleCard(id, principal, in: db)
            // Read again under the account's lock, which closing the account also takes: on
            // PostgreSQL another change may have committed since, and a cancelled card stays so.
            _ = try db.accountsForUpdate(ids: [seen.accountID])
            let (card, account) = try visibleCard(id, principal, in: db)
            guard account.isControlled(by: principal) else { throw AppError(.forbidden, "Only the owner or an admin can change a card.") }
            guard card.status != .cancelled else { throw AppError(.invalidTransition, "A cancelled card cannot be changed.") }
            guard card.status != status else { return card }
            if status == .active { try LedgerRules.requireActive(account) }
            try db.updateCardStatus(id: card.id, to: status)
            try AuditRecorder(origin: origin, clock: clock).record(
                db, .cardStatusChange, actor: principal.userID, target: ("card", card.id),
                reason: "\(card.status.rawValue)->\(status.rawValue)")
            let changed = Card(
                id: card.id, accountID: card.accountID, type: card.type, last4: card.last4, expiryMonth: card.expiryMonth,
                expiryYear: card.expiryYear, status: status, createdAt: card.createdAt)
            try EventRecorder(clock: clock).record(db, .cardStatusChanged, ResourceJSON.card(changed), users: [account.ownerUserID])
            return changed
        }
    }
}
