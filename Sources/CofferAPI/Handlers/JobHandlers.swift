import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/admin/jobs`: background work for operators; support may read, only admin may retry.
struct JobHandlers {
    let jobs: JobAdministration
    let authenticator: Authenticator

    func register(in router: inout Router) {
        router.add(.get, "/v1/admin/jobs") { context in
            _ = try authenticator.principal(&context, roles: [.support, .admin])
            let query = try ListQuery(context.request, filters: ["status", "kind"], keyset: "jobs")
            let filter = JobFilter(status: try query.choice("status", as: JobStatus.self), kind: try query.choice("kind", as: JobKind.self))
            let page = try jobs.jobs(filter, page: query.page)
            return .json(Representation.list(page, request: query.page, Representation.job))
        }
        router.add(.post, "/v1/admin/jobs/{id}/retry") { context in
            _ = try authenticator.principal(&context, roles: [.admin])
            try RequestBody.emptyOrObject(context.request)
            return .json(Representation.job(try jobs.retry(context.parameter("id"))), status: .accepted)
        }
    }
}
