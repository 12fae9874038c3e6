import CofferCore
import Foundation

/// Runs a steps file: a JSON array of steps, each `{"step": kind, "name"?: id, ...}`. Strings may
/// refer to earlier results as `${name.path.to.field}` (a whole-string reference to a number stays
/// a number) and to `${run}`, a random suffix per run. See the README for the format.
struct StepRunner {
    let http: DemoHTTP
    private var results: [String: (status: Int, json: JSONValue)] = [:]
    private let run = String(UUID().uuidString.prefix(8)).lowercased()

    init(http: DemoHTTP) {
        self.http = http
    }

    struct StepFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns normally when every step met its expectation; otherwise throws naming the step.
    mutating func run(_ steps: [JSONValue]) async throws {
        for (index, step) in steps.enumerated() {
            let kind = step["step"]?.stringValue ?? "?"
            let label = "step \(index + 1) (\(step["name"]?.stringValue ?? kind))"
            do {
                try await perform(step, kind: kind)
            } catch let failure as StepFailure {
                throw CommandFailure("\(label) failed: \(failure.description)")
            }
        }
        say("all \(steps.count) steps met their expectations")
    }

    private mutating func perform(_ raw: JSONValue, kind: String) async throws {
        let step = try resolve(raw)
        let name = step["name"]?.stringValue
        let login = step["as"]?.stringValue
        let reply: DemoHTTP.Reply
        switch kind {
        case "signup":
            reply = try await http.send("POST", "/v1/auth/signup", body: pick(step, ["email", "password", "first_name", "last_name", "dob"]))
        case "login":
            reply = try await http.send("POST", "/v1/auth/login", body: pick(step, ["email", "password"]))
            if let token = reply.json["access_token"]?.stringValue {
                http.remember(token: token, for: name ?? (step["email"]?.stringValue ?? "default"))
            }
        case "create_account":
            reply = try await http.send("POST", "/v1/accounts", body: pick(step, ["type", "currency", "holder_id"]), as: login, idempotent: true)
        case "deposit", "withdraw":
            var body = pick(step, ["amount", "currency", "description"])
            body = merged(body, [("account_id", try require(step, "account")), ("type", .string(kind == "deposit" ? "deposit" : "withdrawal"))])
            reply = try await http.send("POST", "/v1/transactions", body: body, as: login, idempotent: true)
        case "transfer":
            let body = merged(
                pick(step, ["amount", "currency", "description"]),
                [("from_account_id", try require(step, "from")), ("to_account_id", try require(step, "to"))])
            reply = try await http.send("POST", "/v1/transfers", body: body, as: login, idempotent: true)
        case "hold":
            let body = merged(
                pick(step, ["amount", "currency", "description", "card_id", "expires_in_seconds", "metadata"]), [("account_id", try require(step, "account"))])
            reply = try await http.send("POST", "/v1/holds", body: body, as: login, idempotent: true)
        case "capture":
            let hold = try require(step, "hold").stringValue ?? ""
            var body = pick(step, ["amount", "description"])
            if let to = step["to"] { body = merged(body, [("to_account_id", to)]) }
            reply = try await http.send("POST", "/v1/holds/\(hold)/capture", body: body, as: login, idempotent: true)
        case "void":
            let hold = try require(step, "hold").stringValue ?? ""
            reply = try await http.send("POST", "/v1/holds/\(hold)/void", body: .object([]), as: login, idempotent: true)
        case "batch":
            let body = JSONValue.object([("mode", step["mode"] ?? "atomic"), ("transfers", try require(step, "transfers"))])
            reply = try await http.send("POST", "/v1/transfers/batch", body: body, as: login, idempotent: true)
        case "statement":
            let account = try require(step, "account").stringValue ?? ""
            let range = [("from", step["from"]?.stringValue), ("to", step["to"]?.stringValue)]
                .compactMap { key, value in value.map { "\(key)=\($0)" } }.joined(separator: "&")
            reply = try await http.send("GET", "/v1/statements/\(account)" + (range.isEmpty ? "" : "?\(range)"), as: login)
        case "expect":
            try await expect(step, as: login)
            return
        default:
            throw StepFailure(
                description:
                    "unknown step kind \"\(kind)\" (signup, login, create_account, deposit, withdraw, transfer, hold, capture, void, batch, statement, expect)")
        }
        say(describe(reply))
        if let name { results[name] = (reply.status, reply.json) }
        if let expected = step["expect_status"]?.int64Value {
            guard reply.status == Int(expected) else {
                throw StepFailure(description: "expected status \(expected), got \(reply.status)" + (reply.isSuccess ? "" : " \(reply.problem)"))
            }
        } else if !reply.isSuccess {
            throw StepFailure(description: "the API answered \(reply.status) \(reply.problem)")
        }
    }

    /// `{"step": "expect", "of": name, "status": 201}`, `{"step": "expect", "account": id, "balance": 7500}`,
    /// or `{"step": "expect", "of": name, "field": "closing_balance", "equals": 7500}`.
    private func expect(_ step: JSONValue, as login: String?) async throws {
        if let account = step["account"]?.stringValue, let balance = step["balance"] {
            let reply = try await http.send("GET", "/v1/accounts/\(account)", as: login)
            say(describe(reply))
            guard reply.json["balance"] == balance else {
                throw StepFailure(
                    description: "expected balance \(balance.serializedString), got \(reply.json["balance"]?.serializedString ?? "none") (\(reply.status))")
            }
            say("✓ balance of \(account) is \(balance.serializedString)")
            return
        }
        guard let of = step["of"]?.stringValue, let result = results[of] else {
            throw StepFailure(description: "expect needs \"of\" naming an earlier step, or \"account\" and \"balance\"")
        }
        if let status = step["status"]?.int64Value {
            guard result.status == Int(status) else { throw StepFailure(description: "expected \(of) to answer \(status), it answered \(result.status)") }
            say("✓ \(of) answered \(status)")
        }
        if let field = step["field"]?.stringValue, let expected = step["equals"] {
            let actual = lookup(result.json, path: field.split(separator: ".").map(String.init))
            guard actual == expected else {
                throw StepFailure(description: "expected \(of).\(field) = \(expected.serializedString), got \(actual?.serializedString ?? "nothing")")
            }
            say("✓ \(of).\(field) is \(expected.serializedString)")
        }
    }

    private func require(_ step: JSONValue, _ key: String) throws -> JSONValue {
        guard let value = step[key] else { throw StepFailure(description: "missing \"\(key)\"") }
        return value
    }

    private func pick(_ step: JSONValue, _ keys: [String]) -> JSONValue {
        .object(keys.compactMap { key in step[key].map { (key, $0) } })
    }

    private func merged(_ object: JSONValue, _ extra: [(String, JSONValue)]) -> JSONValue {
        guard case let .object(members) = object else { return object }
        return .object(members + extra)
    }

    private func lookup(_ json: JSONValue, path: [String]) -> JSONValue? {
        path.reduce(json as JSONValue?) { value, key in
            if let index = Int(key), let items = value?.arrayValue { return index < items.count ? items[index] : nil }
            return value?[key]
        }
    }

    /// Replaces `${name.path}` and `${run}` in every string of the step.
    private func resolve(_ value: JSONValue) throws -> JSONValue {
        switch value {
        case let .string(text):
            return try substitute(text)
        case let .array(items):
            return .array(try items.map(resolve))
        case let .object(members):
            return .object(try members.map { ($0.0, try resolve($0.1)) })
        default:
            return value
        }
    }

    private func substitute(_ text: String) throws -> JSONValue {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw StepFailure(description: "unclosed ${ in \"\(text)\"") }
            let reference = String(rest[open.upperBound..<close])
            let value = try value(of: reference)
            if output.isEmpty, rest[rest.index(after: close)...].isEmpty, case .number = value { return value }
            output += value.stringValue ?? value.serializedString
            rest = rest[rest.index(after: close)...]
        }
        return .string(output + rest)
    }

    private func value(of reference: String) throws -> JSONValue {
        if reference == "run" { return .string(run) }
        let parts = reference.split(separator: ".").map(String.init)
        guard let first = parts.first, let result = results[first] else {
            throw StepFailure(description: "${\(reference)} refers to no earlier named step")
        }
        guard let value = lookup(result.json, path: Array(parts.dropFirst())) else {
            throw StepFailure(description: "${\(reference)}: the result of \(first) has no such field")
        }
        return value
    }
}
