/// The JSON shapes of API.md's money resources, in one place, so an answer and an event (which
/// carries "the object as the API shows it", written in the transaction of the change) agree.
public enum ResourceJSON {
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// `available_balance` is the balance less pending holds, as of the answer.
    public static func account(_ account: Account) -> JSONValue {
        [
            "id": .string(account.id), "holder_id": .string(account.holderID), "type": .string(account.type.rawValue),
            "currency": .string(account.currency.code), "balance": .int(account.balance),
            "available_balance": .int(account.availableBalance), "status": .string(account.status.rawValue),
            "metadata": account.metadata.json, "created_at": .string(account.createdAt.rfc3339),
        ]
    }

    public static func transaction(_ transaction: LedgerTransaction) -> JSONValue {
        [
            "id": .string(transaction.id), "account_id": .string(transaction.accountID), "type": .string(transaction.type.rawValue),
            "amount": .int(transaction.amount), "currency": .string(transaction.currency.code), "balance_after": .int(transaction.balanceAfter),
            "description": optional(transaction.description), "transfer_id": optional(transaction.transferID),
            "metadata": transaction.metadata.json, "reverses_id": optional(transaction.reversesID),
            "reversed_by": optional(transaction.reversedBy), "created_at": .string(transaction.createdAt.rfc3339),
        ]
    }

    public static func transfer(_ transfer: Transfer) -> JSONValue {
        [
            "id": .string(transfer.id), "from_account_id": .string(transfer.fromAccountID), "to_account_id": .string(transfer.toAccountID),
            "amount": .int(transfer.amount), "currency": .string(transfer.currency.code),
            "description": optional(transfer.description), "status": "completed", "metadata": transfer.metadata.json,
            "reverses_id": optional(transfer.reversesID), "reversed_by": optional(transfer.reversedBy),
            "created_at": .string(transfer.createdAt.rfc3339),
        ]
    }

    /// `status` as of `now`: a pending hold past its expiry shows as expired.
    public static func hold(_ hold: Hold, at now: Timestamp) -> JSONValue {
        [
            "id": .string(hold.id), "account_id": .string(hold.accountID), "card_id": optional(hold.cardID), "amount": .int(hold.amount),
            "captured_amount": .int(hold.capturedAmount), "currency": .string(hold.currency.code),
            "status": .string(hold.status(at: now).rawValue), "description": optional(hold.description), "metadata": hold.metadata.json,
            "expires_at": .string(hold.expiresAt.rfc3339), "created_at": .string(hold.createdAt.rfc3339),
            "updated_at": .string(hold.updatedAt.rfc3339),
        ]
    }

    public static func card(_ card: Card) -> JSONValue {
        [
            "id": .string(card.id), "account_id": .string(card.accountID), "type": .string(card.type.rawValue), "last4": .string(card.last4),
            "exp_month": .int(card.expiryMonth), "exp_year": .int(card.expiryYear), "status": .string(card.status.rawValue),
            "created_at": .string(card.createdAt.rfc3339),
        ]
    }
}
