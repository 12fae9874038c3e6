import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/transfers`: atomic moves between two accounts, and their history.
struct TransferHandlers {
    let payments: PaymentService
    let history: HistoryService
    let settings: MoneySettings
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/transfers") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let from = fields.identifier("from_account_id")
            let to = fields.identifier("to_account_id")
            let amount = fields.amount()
            let currency = fields.currency(required: false, supported: settings.supportedCurrencies)
            let description = fields.description()
            try fields.finish()
            let write = try writes.request(context, principal: principal)
            if let earlier = try writes.earlierAnswer(context, write) { return earlier }
            let parties = try payments.transferParties(from: from!, to: to!, by: principal)
            return try writes.run(
                context, write,
                perform: { tx in
                    try payments.transfer(
                        in: tx, parties, amount: amount!, currency: currency, description: description, by: principal,
                        origin: context.origin)
                },
                render: { transfer in
                    var response = Response.json(Representation.transfer(transfer), status: .created)
                    response.headerFields[.location] = "/v1/transfers/\(transfer.id)"
                    return response
                })
        }
        router.add(.get, "/v1/transfers") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["account_id"], keyset: "transfers")
            let page = try history.transfers(accountID: query.value("account_id"), for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, Representation.transfer))
        }
        router.add(.get, "/v1/transfers/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(Representation.transfer(try history.transfer(context.parameter("id"), for: principal)))
        }
    }
}
