import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/accounts`: open, list, read, a balance at a point in time, and change status.
struct AccountHandlers {
    let accounts: AccountService
    let settings: MoneySettings
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/accounts") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let type = fields.choice("type", of: AccountType.allCases.map(\.rawValue)).flatMap(AccountType.init(rawValue:))
            let currency = fields.currency(required: true, supported: settings.supportedCurrencies)
            let holderID = fields.identifier("holder_id", required: false)
            let metadata = fields.metadata()
            try fields.finish()
            return try writes.run(
                context, principal: principal,
                perform: { tx in
                    try accounts.open(
                        in: tx, type: type!, currency: currency!, holderID: holderID, metadata: metadata ?? .empty, by: principal,
                        origin: context.origin)
                },
                render: { account in
                    var response = Response.json(ResourceJSON.account(account), status: .created)
                    response.headerFields[.location] = "/v1/accounts/\(account.id)"
                    return response
                })
        }
        router.add(.get, "/v1/accounts") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["holder_id"], metadata: true)
            let page = try accounts.list(for: principal, holderID: query.value("holder_id"), metadata: query.metadata, page: query.page)
            return .json(Representation.list(page, request: query.page, ResourceJSON.account))
        }
        router.add(.get, "/v1/accounts/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(ResourceJSON.account(try accounts.visibleAccount(context.parameter("id"), to: principal)))
        }
        router.add(.get, "/v1/accounts/{id}/balance") { context in
            let principal = try authenticator.principal(&context)
            let query = context.request.query
            for name in query.names where name != "at" { throw AppError.invalidParameter(name, "is not a known parameter") }
            guard query.pairs.count <= 1 else { throw AppError.invalidParameter("at", "is given more than once") }
            let at = try query.value("at").map { raw throws(AppError) in
                guard let time = Timestamp(rfc3339: raw) else {
                    throw AppError.invalidParameter("at", "must be an RFC 3339 date-time, e.g. 2026-11-01T00:00:00Z")
                }
                return time
            }
            let found = try accounts.balance(context.parameter("id"), at: at, to: principal)
            var body: [(String, JSONValue)] = [
                ("account_id", .string(found.account.id)), ("currency", .string(found.account.currency.code)), ("at", .string(found.at.rfc3339)),
                ("balance", .int(found.balance)),
            ]
            if let available = found.available { body.append(("available_balance", .int(available))) }
            return .json(.object(body))
        }
        router.add(.patch, "/v1/accounts/{id}") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let status = fields.choice("status", of: AccountStatus.allCases.map(\.rawValue), required: false).flatMap(AccountStatus.init(rawValue:))
            let metadata = fields.metadata()
            if fields.problems.isEmpty, status == nil, metadata == nil { fields.fail("status", "or metadata is required") }
            try fields.finish()
            let account = try accounts.update(context.parameter("id"), status: status, metadata: metadata, by: principal, origin: context.origin)
            return .json(ResourceJSON.account(account))
        }
    }
}
