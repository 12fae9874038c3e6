import CofferCore
import CofferStore

/// What one transfer asks for, as `POST /v1/transfers`, a batch item and a standing order all
/// read it.
public struct TransferOrder: Sendable {
    public let fromAccountID: String
    public let toAccountID: String
    public let amount: Int64
    public let currency: Currency?
    public let description: String?
    public let metadata: Metadata

    public init(fromAccountID: String, toAccountID: String, amount: Int64, currency: Currency?, description: String?, metadata: Metadata) {
        self.fromAccountID = fromAccountID
        self.toAccountID = toAccountID
        self.amount = amount
        self.currency = currency
        self.description = description
        self.metadata = metadata
    }
}

extension PaymentService.TransferParties {
    /// The two accounts of a transfer the principal asks for: the source must be theirs (or they
    /// an admin), else it is "not found", and so is a missing destination.
    static func find(from fromID: String, to toID: String, by principal: Principal, in db: any StoreReader) throws -> Self {
        try check(from: try db.account(id: fromID)?.ownership, fromID, to: try db.account(id: toID)?.ownership, toID, by: principal)
    }

    static func check(from: AccountOwnership?, _ fromID: String, to: AccountOwnership?, _ toID: String, by principal: Principal) throws -> Self {
        guard let from, from.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no account with id \(fromID).", details: ["field": "from_account_id"])
        }
        guard let to else {
            throw AppError(.notFound, "There is no account with id \(toID).", details: ["field": "to_account_id"])
        }
        return Self(from: from, to: to)
    }
}
