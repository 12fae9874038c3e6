import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/account-holders`: a user sees their own holder; support and admin see all.
struct AccountHolderHandlers {
    let directory: AccountHolderDirectory
    let authenticator: Authenticator

    func register(in router: inout Router) {
        router.add(.get, "/v1/account-holders") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: [])
            let page = try directory.list(for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, Representation.accountHolder))
        }
        router.add(.get, "/v1/account-holders/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(Representation.accountHolder(try directory.holder(id: context.parameter("id"), for: principal)))
        }
    }
}
