import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/transactions`: deposits and withdrawals, and the journal lines of the caller's accounts.
struct TransactionHandlers {
    let payments: PaymentService
    let history: HistoryService
    let settings: MoneySettings
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/transactions") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let accountID = fields.identifier("account_id")
            let kind = fields.choice("type", of: ["deposit", "withdrawal"]).flatMap(PaymentService.CashMovement.init(rawValue:))
            let amount = fields.amount()
            let currency = fields.currency(required: false, supported: settings.supportedCurrencies)
            let description = fields.description()
            try fields.finish()
            let write = try writes.request(context, principal: principal)
            if let earlier = try writes.earlierAnswer(context, write) { return earlier }
            let account = try payments.cashAccount(accountID!, by: principal)
            return try writes.run(
                context, write,
                perform: { tx in
                    try payments.moveCash(
                        in: tx, kind!, account: account, amount: amount!, currency: currency, description: description,
                        by: principal, origin: context.origin)
                },
                render: { transaction in
                    var response = Response.json(Representation.transaction(transaction), status: .created)
                    response.headerFields[.location] = "/v1/transactions/\(transaction.id)"
                    return response
                })
        }
        router.add(.get, "/v1/transactions") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["account_id", "type", "from", "to"], keyset: "transactions")
            let (from, to) = try query.dateRange()
            let filter = TransactionFilter(
                accountID: query.value("account_id"), type: try query.choice("type", as: TransactionType.self),
                from: from?.startOfDay,
                until: to.map { CivilDate(daysSinceEpoch: $0.daysSinceEpoch + 1).startOfDay })
            let page = try history.transactions(filter, for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, Representation.transaction))
        }
        router.add(.get, "/v1/transactions/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(Representation.transaction(try history.transaction(context.parameter("id"), for: principal)))
        }
    }
}
