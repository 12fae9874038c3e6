import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/transfers`: atomic moves between two accounts, and their history.
struct TransferHandlers {
    let payments: PaymentService
    let batches: TransferBatchService
    let reversals: ReversalService
    let history: HistoryService
    let settings: MoneySettings
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/transfers") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let order = TransferFields.read(&fields, currencies: settings.supportedCurrencies)
            try fields.finish()
            guard let order else { preconditionFailure("finish() throws when a required field is missing") }
            let write = try writes.request(context, principal: principal)
            if let earlier = try writes.earlierAnswer(context, write) { return earlier }
            let parties = try payments.transferParties(from: order.fromAccountID, to: order.toAccountID, by: principal)
            return try writes.run(
                context, write,
                perform: { tx in
                    try payments.transfer(
                        in: tx, parties, amount: order.amount, currency: order.currency, description: order.description,
                        metadata: order.metadata, by: principal, origin: context.origin)
                },
                render: { transfer in
                    var response = Response.json(ResourceJSON.transfer(transfer), status: .created)
                    response.headerFields[.location] = "/v1/transfers/\(transfer.id)"
                    return response
                })
        }
        router.add(.post, "/v1/transfers/batch") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request, bytesMax: RequestBody.batchBytesMax)
            let mode = fields.choice("mode", of: TransferBatchService.Mode.allCases.map(\.rawValue)).flatMap(TransferBatchService.Mode.init)
            let items = batchItems(&fields)
            try fields.finish()
            return try writes.run(
                context, principal: principal,
                perform: { tx in try batches.run(in: tx, mode!, items!, by: principal, origin: context.origin) },
                render: { outcomes in
                    guard mode == .independent else {
                        let transfers = outcomes.map { outcome -> JSONValue in
                            guard case let .applied(transfer) = outcome else { preconditionFailure("an atomic batch applies every item") }
                            return ResourceJSON.transfer(transfer)
                        }
                        return .json(["data": .array(transfers)], status: .created)
                    }
                    let results = outcomes.enumerated().map { index, outcome -> JSONValue in
                        switch outcome {
                        case let .applied(transfer):
                            return ["index": .int(index), "status": 201, "transfer": ResourceJSON.transfer(transfer)]
                        case let .refused(error):
                            return [
                                "index": .int(index), "status": .int(error.code.entry.status),
                                "error": ["code": .string(error.code.rawValue), "message": .string(error.detail), "details": error.details],
                            ]
                        }
                    }
                    return .json(["data": .array(results)])
                })
        }
        router.add(.post, "/v1/transfers/{id}/reverse") { context in
            let principal = try authenticator.principal(&context, roles: [.admin])
            let reason = try ReversalFields.reason(context.request)
            let id = context.parameter("id")
            return try writes.run(
                context, principal: principal,
                perform: { tx in try reversals.reverseTransfer(in: tx, id, reason: reason, by: principal, origin: context.origin) },
                render: { transfer in
                    var response = Response.json(ResourceJSON.transfer(transfer), status: .created)
                    response.headerFields[.location] = "/v1/transfers/\(transfer.id)"
                    return response
                })
        }
        router.add(.get, "/v1/transfers") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["account_id"], keyset: "transfers", metadata: true)
            let page = try history.transfers(accountID: query.value("account_id"), metadata: query.metadata, for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, ResourceJSON.transfer))
        }
        router.add(.get, "/v1/transfers/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(ResourceJSON.transfer(try history.transfer(context.parameter("id"), for: principal)))
        }
    }

    /// `transfers`: 1 … 1,000 objects with the fields of `POST /v1/transfers` and `metadata`;
    /// a bad field is named with its item (`transfers[3].amount`).
    private func batchItems(_ fields: inout FieldReader) -> [TransferOrder]? {
        guard let elements = fields.array("transfers") else { return nil }
        guard (1...TransferBatchService.itemsMax).contains(elements.count) else {
            fields.fail("transfers", "must hold 1 to \(TransferBatchService.itemsMax) items")
            return nil
        }
        var items: [TransferOrder] = []
        for (index, element) in elements.enumerated() {
            guard var item = try? FieldReader(element) else {
                fields.fail("transfers[\(index)]", "must be an object")
                continue
            }
            let order = TransferFields.read(&item, currencies: settings.supportedCurrencies)
            fields.fail(nested: item, prefix: "transfers[\(index)]")
            if let order, item.problems.isEmpty { items.append(order) }
        }
        return items.count == elements.count ? items : nil
    }
}
