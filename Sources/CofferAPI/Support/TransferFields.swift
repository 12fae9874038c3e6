import CofferCore
import CofferServices

/// The fields of one transfer, as `POST /v1/transfers`, each item of a batch and a standing order
/// carry them. Nil when a required one is missing or bad; the reader holds the problems.
enum TransferFields {
    static func read(_ fields: inout FieldReader, currencies: [Currency]) -> TransferOrder? {
        let from = fields.identifier("from_account_id")
        let to = fields.identifier("to_account_id")
        let amount = fields.amount()
        let currency = fields.currency(required: false, supported: currencies)
        let description = fields.description()
        let metadata = fields.metadata()
        guard let from, let to, let amount else { return nil }
        return TransferOrder(
            fromAccountID: from, toAccountID: to, amount: amount, currency: currency, description: description, metadata: metadata ?? .empty)
    }
}
