import CofferCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A running Coffer's API over HTTP, for `coffer demo`. Tokens stay inside this type: nothing it
/// prints ever contains one.
final class DemoHTTP {
    struct Reply {
        let status: Int
        let json: JSONValue

        var isSuccess: Bool { (200..<300).contains(status) }

        /// `code: detail` of a problem answer, for people.
        var problem: String {
            let code = json["error"]?["code"]?.stringValue ?? "error"
            return "\(code): \(json["detail"]?.stringValue ?? "HTTP \(status)")"
        }
    }

    let baseURL: String
    private var tokens: [String: String] = [:]
    private(set) var lastLogin: String?

    init(baseURL: String) throws {
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw CommandFailure("base URL must look like http://127.0.0.1:8080 (got \(baseURL))")
        }
        self.baseURL = trimmed
    }

    func remember(token: String, for login: String) {
        tokens[login] = token
        lastLogin = login
    }

    func token(for login: String?) -> String? {
        guard let login = login ?? lastLogin else { return nil }
        return tokens[login]
    }

    func send(_ method: String, _ path: String, body: JSONValue? = nil, as login: String? = nil, idempotent: Bool = false) async throws -> Reply {
        guard let url = URL(string: baseURL + path) else { throw CommandFailure("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.serialized())
        }
        if let token = token(for: login) { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if idempotent { request.setValue(UUID().uuidString, forHTTPHeaderField: "Idempotency-Key") }
        say("→ \(method) \(path)")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure("cannot reach \(baseURL): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONParser.parse([UInt8](data))) ?? .null
        return Reply(status: status, json: json)
    }
}

/// Money in a currency as people read it: 1050 USD → "10.50 USD".
func formatted(_ minor: Int64?, _ code: String?) -> String {
    guard let minor, let code, let currency = Currency(code: code) else { return "?" }
    return "\(currency.decimal(minor)) \(code)"
}

/// One line describing an answer, never including a token.
func describe(_ reply: DemoHTTP.Reply) -> String {
    guard reply.isSuccess else { return "← \(reply.status) \(reply.problem)" }
    let json = reply.json
    if let email = json["user"]?["email"]?.stringValue, json["access_token"] != nil {
        return "← \(reply.status) logged in as \(email) (token kept, not shown)"
    }
    if let email = json["user"]?["email"]?.stringValue { return "← \(reply.status) signed up \(email)" }
    if json["opening_balance"] != nil {
        let code = json["currency"]?.stringValue
        return "← \(reply.status) statement \(json["from"]?.stringValue ?? "") to \(json["to"]?.stringValue ?? ""): opening "
            + "\(formatted(json["opening_balance"]?.int64Value, code)), credits \(formatted(json["total_credits"]?.int64Value, code)), "
            + "debits \(formatted(json["total_debits"]?.int64Value, code)), closing \(formatted(json["closing_balance"]?.int64Value, code)), "
            + "\(json["transaction_count"]?.int64Value ?? 0) transactions"
    }
    if let hold = json["hold"], let captured = hold["captured_amount"]?.int64Value {
        return "← \(reply.status) captured \(formatted(captured, hold["currency"]?.stringValue)) of a hold of "
            + formatted(hold["amount"]?.int64Value, hold["currency"]?.stringValue)
    }
    if let status = json["status"]?.stringValue, json["expires_at"] != nil {
        return "← \(reply.status) hold \(status): \(formatted(json["amount"]?.int64Value, json["currency"]?.stringValue))"
    }
    if let items = json["data"]?.arrayValue {
        return "← \(reply.status) batch of \(items.count) transfers"
    }
    if json["from_account_id"] != nil {
        return "← \(reply.status) transferred \(formatted(json["amount"]?.int64Value, json["currency"]?.stringValue))"
    }
    if let type = json["type"]?.stringValue, json["balance_after"] != nil {
        return "← \(reply.status) \(type) of \(formatted(json["amount"]?.int64Value, json["currency"]?.stringValue)); balance now "
            + formatted(json["balance_after"]?.int64Value, json["currency"]?.stringValue)
    }
    if json["balance"] != nil, let id = json["id"]?.stringValue {
        return "← \(reply.status) \(json["type"]?.stringValue ?? "") account \(id): balance "
            + formatted(json["balance"]?.int64Value, json["currency"]?.stringValue)
    }
    return "← \(reply.status)"
}

/// Writes a line to stdout unbuffered, so output and prompts stay in order on a pipe or a pty.
func say(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(1, $0, strlen($0)) }
}
