import Foundation

/// JSON requests against the stack through nginx, for the end-to-end flows.
struct APIClient {
    let http: RawHTTPClient

    func request(
        _ method: String, _ path: String, _ body: [String: Any]? = nil, token: String? = nil,
        headers extra: [(String, String)] = []
    ) throws -> HTTPResult {
        var headers = extra
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        var bytes: [UInt8] = []
        if let body {
            headers.append(("Content-Type", "application/json"))
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
        }
        return try http.send(method, path, headers: headers, body: bytes)
    }

    /// Signs up and logs in; returns the access token and the user's id.
    func member(_ email: String, password: String = "a good long passphrase") throws -> (token: String, userID: String) {
        let signup = try request(
            "POST", "/v1/auth/signup",
            [
                "email": email, "password": password, "first_name": "E2E",
                "last_name": "Member", "dob": "1991-03-04",
            ])
        guard signup.status == 201 else { throw SocketError(description: "signup: \(signup.text)") }
        let login = try request("POST", "/v1/auth/login", ["email": email, "password": password])
        let json = try login.json()
        guard let token = json["access_token"] as? String, let user = json["user"] as? [String: Any], let id = user["id"] as? String else {
            throw SocketError(description: "login: \(login.text)")
        }
        return (token, id)
    }

    func openAccount(_ token: String, currency: String = "USD") throws -> String {
        let reply = try request("POST", "/v1/accounts", ["type": "checking", "currency": currency], token: token)
        guard reply.status == 201, let id = try reply.json()["id"] as? String else { throw SocketError(description: "open: \(reply.text)") }
        return id
    }

    /// Opens `count` accounts and deposits `amount` into each.
    func fundedAccounts(_ token: String, count: Int, each amount: Int) throws -> [String] {
        try (0..<count).map { _ in
            let id = try openAccount(token)
            let deposit = try request("POST", "/v1/transactions", ["account_id": id, "type": "deposit", "amount": amount], token: token)
            guard deposit.status == 201 else { throw SocketError(description: "deposit: \(deposit.text)") }
            return id
        }
    }

    func balance(_ token: String, _ accountID: String) throws -> Int {
        let reply = try request("GET", "/v1/accounts/\(accountID)", token: token)
        guard let balance = try reply.json()["balance"] as? Int else { throw SocketError(description: "balance: \(reply.text)") }
        return balance
    }
}

/// Runs the `coffer` command line tool to completion.
enum CofferCLI {
    static func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        try Shell.run(TestPaths.binary("coffer").path, arguments, stdin: stdin)
    }
}

/// Runs a program to completion and returns its status and output (stdout and stderr together).
/// The output goes through a file, not a pipe: a server the program starts (pg_ctl) may keep an
/// inherited pipe open for as long as it runs, and a pipe's reader would wait for it.
enum Shell {
    static func run(_ path: String, _ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let outputURL = URL(fileURLWithPath: "/tmp/coffer-shell-\(UUID().uuidString).out")
        // A file that could not be made fails the FileHandle below.
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try output.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: outputURL), as: UTF8.self))
    }
}
