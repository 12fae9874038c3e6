import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/exports`: statement exports as background work with status, and their files.
struct ExportHandlers {
    let exports: ExportService
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/exports") { context in
            let principal = try authenticator.principal(&context)
            var fields = try RequestBody.fields(of: context.request)
            let accountID = fields.identifier("account_id", required: false)
            let from = fields.date("from")
            let to = fields.date("to")
            let groupBy = fields.choice("group_by", of: Export.Grouping.allCases.map(\.rawValue)).flatMap(Export.Grouping.init)
            let format = fields.choice("format", of: Export.Format.allCases.map(\.rawValue)).flatMap(Export.Format.init)
            try fields.finish()
            let request = ExportService.Request(accountID: accountID, from: from!, to: to!, groupBy: groupBy!, format: format!)
            return try writes.run(
                context, principal: principal,
                perform: { tx in try exports.create(in: tx, request, by: principal, origin: context.origin) },
                render: { export in
                    var response = Response.json(ExportJSON.export(export, at: export.createdAt), status: .accepted)
                    response.headerFields[.location] = "/v1/exports/\(export.id)"
                    return response
                })
        }
        router.add(.get, "/v1/exports/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(ExportJSON.export(try exports.export(context.parameter("id"), for: principal), at: exports.now))
        }
        router.add(.get, "/v1/exports/{id}/download") { context in
            let principal = try authenticator.principal(&context)
            let (export, bytes) = try exports.download(context.parameter("id"), for: principal)
            let type = export.format == .csv ? "text/csv; charset=utf-8" : "application/json"
            return Response(
                status: .ok,
                headerFields: [
                    .contentType: type,
                    .contentDisposition: "attachment; filename=\"export-\(export.id).\(export.format.rawValue)\"",
                ], body: bytes)
        }
    }
}
