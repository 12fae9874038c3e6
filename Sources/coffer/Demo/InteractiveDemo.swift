import CofferCore
import Foundation

/// The guided demo: asks for the details, then walks signup → login → two accounts → deposit →
/// transfer → statement, printing each request and its result. Reads answers line by line, so a
/// pipe or a pseudo-terminal can answer; a bad answer is explained and asked again.
struct InteractiveDemo {
    let defaultBaseURL: String

    func run() async throws {
        let prompt = Prompter()
        let base = try prompt.ask("Base URL", default: defaultBaseURL) { answer in
            (try? DemoHTTP(baseURL: answer)) == nil ? "enter a URL like http://127.0.0.1:8080" : nil
        }
        let http = try DemoHTTP(baseURL: base)
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        let usd = Currency(code: "USD")!

        var email = ""
        let password = try prompt.ask("Password (10 to 128 characters)", default: "demo-passphrase-\(suffix)") { answer in
            IdentityRules.passwordProblem(answer).map { "the password \($0)" }
        }
        let firstName = try prompt.ask("First name", default: "Demo") { IdentityRules.nameProblem($0).map { "the name \($0)" } }
        let lastName = try prompt.ask("Last name", default: "User") { IdentityRules.nameProblem($0).map { "the name \($0)" } }
        let dob = try prompt.ask("Date of birth (YYYY-MM-DD)", default: "1990-01-15") { answer in
            IdentityRules.dateOfBirthProblem(answer, today: Timestamp.now().date).map { "the date \($0)" }
        }
        // The server has the last word on the email (it may be taken): ask again until it agrees.
        while true {
            email = try prompt.ask("Email", default: "demo-\(suffix)@example.com") { answer in
                IdentityRules.emailProblem(IdentityRules.normalizedEmail(answer)).map { "the email \($0)" }
            }
            let signup = try await http.send(
                "POST", "/v1/auth/signup",
                body: [
                    "email": .string(email), "password": .string(password), "first_name": .string(firstName),
                    "last_name": .string(lastName), "dob": .string(dob),
                ])
            say(describe(signup))
            if signup.isSuccess { break }
            say("  Try another email.")
        }

        let login = try await http.send("POST", "/v1/auth/login", body: ["email": .string(email), "password": .string(password)])
        say(describe(login))
        guard let token = login.json["access_token"]?.stringValue else { throw CommandFailure("login failed: \(login.problem)") }
        http.remember(token: token, for: "demo")

        let checking = try await openAccount(http, type: "checking")
        let savings = try await openAccount(http, type: "savings")

        let deposit = try prompt.ask("Amount to deposit into checking, in USD", default: "250.00") { answer in
            Self.amountProblem(answer, usd)
        }
        let deposited = try await http.send(
            "POST", "/v1/transactions",
            body: [
                "account_id": .string(checking), "type": "deposit", "amount": .int(usd.minorUnits(fromDecimal: deposit)!),
            ], idempotent: true)
        say(describe(deposited))
        guard deposited.isSuccess else { throw CommandFailure("deposit failed: \(deposited.problem)") }

        while true {
            let amount = try prompt.ask("Amount to move from checking to savings, in USD", default: "75.50") { Self.amountProblem($0, usd) }
            let transfer = try await http.send(
                "POST", "/v1/transfers",
                body: [
                    "from_account_id": .string(checking), "to_account_id": .string(savings), "amount": .int(usd.minorUnits(fromDecimal: amount)!),
                ], idempotent: true)
            say(describe(transfer))
            if transfer.isSuccess { break }
            say("  Try a smaller amount.")
        }

        for account in [checking, savings] {
            say(describe(try await http.send("GET", "/v1/accounts/\(account)")))
        }
        let statement = try await http.send("GET", "/v1/statements/\(checking)")
        say(describe(statement))
        for line in statement.json["transactions"]?.arrayValue ?? [] {
            let type = line["type"]?.stringValue ?? ""
            let sign = type == "deposit" || type == "transfer_in" ? "+" : "-"
            say(
                "   \(line["created_at"]?.stringValue?.prefix(10) ?? "")  \(type.padding(toLength: 13, withPad: " ", startingAt: 0)) "
                    + "\(sign)\(formatted(line["amount"]?.int64Value, "USD"))  balance \(formatted(line["balance_after"]?.int64Value, "USD"))")
        }
        say("demo complete: \(email) has a checking and a savings account")
    }

    private func openAccount(_ http: DemoHTTP, type: String) async throws -> String {
        let reply = try await http.send("POST", "/v1/accounts", body: ["type": .string(type), "currency": "USD"], idempotent: true)
        say(describe(reply))
        guard let id = reply.json["id"]?.stringValue else { throw CommandFailure("opening a \(type) account failed: \(reply.problem)") }
        return id
    }

    static func amountProblem(_ answer: String, _ currency: Currency) -> String? {
        guard let minor = currency.minorUnits(fromDecimal: answer), MoneyRules.amountRange.contains(minor) else {
            return "enter an amount like 12.50 (more than 0, at most 2 decimals)"
        }
        return nil
    }
}

/// Asks one question per line on stdout and reads the answer from stdin.
struct Prompter {
    func ask(_ question: String, default fallback: String, validate: (String) -> String?) throws -> String {
        while true {
            // Written straight to fd 1 so the question shows before the answer is read, even on a pipe.
            let text = "\(question) [\(fallback)]: "
            _ = text.withCString { write(1, $0, strlen($0)) }
            guard let line = readLine(strippingNewline: true) else {
                throw CommandFailure("input ended before the demo finished")
            }
            let answer = line.trimmingCharacters(in: .whitespaces).isEmpty ? fallback : line.trimmingCharacters(in: .whitespaces)
            if let problem = validate(answer) {
                say("  \(problem)")
                continue
            }
            return answer
        }
    }
}
