import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/cards`: issue, list, read, freeze, unfreeze and cancel.
struct CardHandlers {
    let cards: CardService
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/cards") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let accountID = fields.identifier("account_id")
            let type = fields.choice("type", of: CardType.allCases.map(\.rawValue)).flatMap(CardType.init(rawValue:))
            try fields.finish()
            return try writes.run(
                context, principal: principal,
                perform: { tx in try cards.issue(in: tx, accountID: accountID!, type: type!, by: principal, origin: context.origin) },
                render: { card in
                    var response = Response.json(ResourceJSON.card(card), status: .created)
                    response.headerFields[.location] = "/v1/cards/\(card.id)"
                    return response
                })
        }
        router.add(.get, "/v1/cards") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["account_id"])
            let page = try cards.list(accountID: query.value("account_id"), for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, ResourceJSON.card))
        }
        router.add(.get, "/v1/cards/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(ResourceJSON.card(try cards.card(context.parameter("id"), for: principal)))
        }
        router.add(.patch, "/v1/cards/{id}") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let status = fields.choice("status", of: CardStatus.allCases.map(\.rawValue)).flatMap(CardStatus.init(rawValue:))
            try fields.finish()
            return .json(ResourceJSON.card(try cards.changeStatus(context.parameter("id"), to: status!, by: principal, origin: context.origin)))
        }
    }
}
