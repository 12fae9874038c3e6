import CofferCore

extension Database {
    static let cardColumns = "id, account_id, type, last4, exp_month, exp_year, status, created_at"

    public func insertCard(_ card: Card) throws {
        try run(
            "INSERT INTO cards (id, account_id, type, last4, exp_month, exp_year, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(card.id), .text(card.accountID), .text(card.type.rawValue), .text(card.last4), .integer(Int64(card.expiryMonth)),
                .integer(Int64(card.expiryYear)), .text(card.status.rawValue), .integer(card.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func card(id: String) throws -> Card? {
        try queryFirst("SELECT \(Self.cardColumns) FROM cards WHERE id = ?", [.text(id)], Card.init(row:))
    }

    public func liveCardCount(accountID: String) throws -> Int {
        Int(try scalarInt("SELECT count(*) FROM cards WHERE account_id = ? AND status != 'cancelled'", [.text(accountID)]))
    }

    /// Cards of one account, or of every account of one holder, or all; oldest first.
    public func cards(accountID: String?, holderID: String?, page: PageRequest) throws -> Page<Card> {
        let conditions = Self.cardConditions(accountID: accountID, holderID: holderID)
        let total = try scalarInt("SELECT count(*) FROM cards WHERE \(conditions.sql)", conditions.arguments)
        let items = try query(
            Self.cardPage(conditions), conditions.arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))], Card.init(row:))
        return Page(items: items, total: Int(total), nextAfter: nil)
    }

    static func cardPage(_ conditions: SQLConditions) -> String {
        "SELECT \(cardColumns) FROM cards WHERE \(conditions.sql) ORDER BY seq LIMIT ? OFFSET ?"
    }

    /// Only the filters given, so one customer's cards come from `cards_account`, not a scan of all.
    static func cardConditions(accountID: String?, holderID: String?) -> SQLConditions {
        var conditions = SQLConditions()
        if let accountID { conditions.add("account_id = ?", .text(accountID)) }
        if let holderID { conditions.add("account_id IN (SELECT id FROM accounts WHERE holder_id = ?)", .text(holderID)) }
        return conditions
    }

    public func updateCardStatus(id: String, to status: CardStatus) throws {
        try run("UPDATE cards SET status = ? WHERE id = ?", [.text(status.rawValue), .text(id)])
    }

    public func cancelCards(accountID: String) throws -> [Card] {
        try query(
            "UPDATE cards SET status = 'cancelled' WHERE account_id = ? AND status != 'cancelled' RETURNING \(Self.cardColumns)", [.text(accountID)],
            Card.init(row:)
        ).sorted { $0.id < $1.id }
    }
}
