import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/scheduled-transfers`: standing orders and their runs.
struct ScheduleHandlers {
    let schedules: ScheduleService
    let settings: MoneySettings
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/scheduled-transfers") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let transfer = TransferFields.read(&fields, currencies: settings.supportedCurrencies)
            let start = fields.date("start_date")
            let interval = fields.choice("interval", of: ScheduledTransfer.Interval.allCases.map(\.rawValue)).flatMap(ScheduledTransfer.Interval.init)
            let end = fields.date("end_date", required: false)
            try fields.finish()
            let order = ScheduleService.Order(transfer: transfer!, startDate: start!, interval: interval!, endDate: end)
            return try writes.run(
                context, principal: principal,
                perform: { tx in try schedules.create(in: tx, order, by: principal, origin: context.origin) },
                render: { schedule in
                    var response = Response.json(ScheduleJSON.schedule(schedule, lastRun: nil), status: .created)
                    response.headerFields[.location] = "/v1/scheduled-transfers/\(schedule.id)"
                    return response
                })
        }
        router.add(.get, "/v1/scheduled-transfers") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: [], metadata: true)
            let page = try schedules.list(for: principal, metadata: query.metadata, page: query.page)
            return .json(Representation.list(page, request: query.page) { ScheduleJSON.schedule($0.0, lastRun: $0.1) })
        }
        router.add(.get, "/v1/scheduled-transfers/{id}") { context in
            let principal = try authenticator.principal(&context)
            let (schedule, lastRun) = try schedules.schedule(context.parameter("id"), for: principal)
            return .json(ScheduleJSON.schedule(schedule, lastRun: lastRun))
        }
        router.add(.patch, "/v1/scheduled-transfers/{id}") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let status = fields.choice("status", of: ["active", "paused", "cancelled"]).flatMap(ScheduledTransfer.Status.init)
            try fields.finish()
            let (schedule, lastRun) = try schedules.changeStatus(context.parameter("id"), to: status!, by: principal, origin: context.origin)
            return .json(ScheduleJSON.schedule(schedule, lastRun: lastRun))
        }
        router.add(.get, "/v1/scheduled-transfers/{id}/runs") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: [])
            let page = try schedules.runs(context.parameter("id"), for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, ScheduleJSON.run))
        }
    }
}
