import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/transactions`: deposits and withdrawals, and the journal lines of the caller's accounts.
struct TransactionHandlers {
    let payments: PaymentService
    let reversals: ReversalService
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
            let metadata = fields.metadata()
            try fields.finish()
            let write = try writes.request(context, principal: principal)
            if let earlier = try writes.earlierAnswer(context, write) { return earlier }
            let account = try payments.cashAccount(accountID!, by: principal)
            return try writes.run(
                context, write,
                perform: { tx in
                    try payments.moveCash(
                        in: tx, kind!, account: account, amount: amount!, currency: currency, description: description,
                        metadata: metadata ?? .empty, by: principal, origin: context.origin)
                },
                render: { transaction in
                    var response = Response.json(ResourceJSON.transaction(transaction), status: .created)
                    response.headerFields[.location] = "/v1/transactions/\(transaction.id)"
                    return response
                })
        }
        router.add(.post, "/v1/transactions/{id}/reverse") { context in
            let principal = try authenticator.principal(&context, roles: [.admin])
            let reason = try ReversalFields.reason(context.request)
            let id = context.parameter("id")
            return try writes.run(
                context, principal: principal,
                perform: { tx in try reversals.reverseTransaction(in: tx, id, reason: reason, by: principal, origin: context.origin) },
                render: { transaction in
                    var response = Response.json(ResourceJSON.transaction(transaction), status: .created)
                    response.headerFields[.location] = "/v1/transactions/\(transaction.id)"
                    return response
                })
        }
        router.add(.get, "/v1/transactions") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["account_id", "type", "from", "to"], keyset: "transactions", metadata: true)
            let (from, to) = try query.dateRange()
            var filter = TransactionFilter(
                accountID: query.value("account_id"), type: try query.choice("type", as: TransactionType.self),
                from: from?.startOfDay,
                until: to.map { CivilDate(daysSinceEpoch: $0.daysSinceEpoch + 1).startOfDay })
            filter.metadata = query.metadata
            let page = try history.transactions(filter, for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, ResourceJSON.transaction))
        }
        router.add(.get, "/v1/transactions/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(ResourceJSON.transaction(try history.transaction(context.parameter("id"), for: principal)))
        }
    }
}
