import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/holds`: money reserved on an account, then captured, voided or left to expire.
struct HoldHandlers {
    let holds: HoldService
    let settings: MoneySettings
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/holds") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let accountID = fields.identifier("account_id")
            let amount = fields.amount()
            let currency = fields.currency(required: false, supported: settings.supportedCurrencies)
            let description = fields.description()
            let cardID = fields.identifier("card_id", required: false)
            let lifetime = fields.integer("expires_in_seconds", in: Hold.lifetimeSeconds, required: false)
            let metadata = fields.metadata()
            try fields.finish()
            let placement = HoldService.Placement(
                accountID: accountID!, amount: amount!, currency: currency, cardID: cardID, description: description,
                metadata: metadata ?? .empty, lifetimeSeconds: lifetime ?? Hold.defaultLifetimeSeconds)
            return try writes.run(
                context, principal: principal,
                perform: { tx in try holds.place(in: tx, placement, by: principal, origin: context.origin) },
                render: { hold in
                    var response = Response.json(ResourceJSON.hold(hold, at: hold.createdAt), status: .created)
                    response.headerFields[.location] = "/v1/holds/\(hold.id)"
                    return response
                })
        }
        router.add(.post, "/v1/holds/{id}/capture") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.optionalFields(of: context.request)
            let amount = fields.integer("amount", in: MoneyRules.amountRange, required: false)
            let toAccountID = fields.identifier("to_account_id", required: false)
            let description = fields.description()
            try fields.finish()
            let id = context.parameter("id")
            return try writes.run(
                context, principal: principal,
                perform: { tx in
                    try holds.capture(in: tx, id, amount: amount, to: toAccountID, description: description, by: principal, origin: context.origin)
                },
                render: { capture in
                    var body: [(String, JSONValue)] = [("hold", ResourceJSON.hold(capture.hold, at: capture.hold.updatedAt))]
                    if let transfer = capture.transfer { body.append(("transfer", ResourceJSON.transfer(transfer))) }
                    if let transaction = capture.transaction { body.append(("transaction", ResourceJSON.transaction(transaction))) }
                    return .json(.object(body), status: .created)
                })
        }
        router.add(.post, "/v1/holds/{id}/void") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            try RequestBody.emptyOrObject(context.request)
            let id = context.parameter("id")
            return try writes.run(
                context, principal: principal,
                perform: { tx in try holds.void(in: tx, id, by: principal, origin: context.origin) },
                render: { hold in .json(ResourceJSON.hold(hold, at: hold.updatedAt)) })
        }
        router.add(.get, "/v1/holds") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["account_id", "status"], keyset: "holds", metadata: true)
            let page = try holds.list(
                accountID: query.value("account_id"), status: try query.choice("status", as: HoldStatus.self), metadata: query.metadata,
                for: principal, page: query.page)
            let now = holds.now
            return .json(Representation.list(page, request: query.page) { ResourceJSON.hold($0, at: now) })
        }
        router.add(.get, "/v1/holds/{id}") { context in
            let principal = try authenticator.principal(&context)
            let hold = try holds.hold(context.parameter("id"), for: principal)
            return .json(ResourceJSON.hold(hold, at: holds.now))
        }
    }
}
