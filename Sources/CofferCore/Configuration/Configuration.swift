/// The process configuration, read from the environment once at start. Every value is validated
/// here; a bad one stops the process with a `ConfigurationError` naming the variable to fix.
public struct Configuration: Sendable {
    public enum Environment: String, Sendable { case dev, test, prod }

    public enum Listen: Sendable, Equatable {
        case unix(path: String)
        case tcp(host: String, port: Int)
        /// A listening socket handed over by the parent: fd 3 under systemd socket activation
        /// (`LISTEN_FDS`), fd 0 under spawn-fcgi.
        case inherited(fd: Int32)
    }

    public enum Synchronous: String, Sendable { case normal = "NORMAL", full = "FULL", extra = "EXTRA" }

    public var environment: Environment
    public var dataDirectory: String
    public var database: DatabaseURL
    /// PostgreSQL only: the most connections this process opens (its workers share them).
    public var databasePoolSize: Int
    public var jwtSecret: [UInt8]
    /// True when no secret was configured and one was generated for this process only.
    public var jwtSecretIsEphemeral: Bool
    public var logLevel: String
    public var corsOrigins: [String]
    public var listen: Listen
    public var socketMode: UInt32
    public var workers: Int
    public var synchronous: Synchronous
    public var busyTimeoutMs: Int
    public var shutdownTimeoutSeconds: Int
    /// Argon2id cost for new password hashes; existing hashes keep the cost they were made with.
    public var argon2MemoryKiB: Int
    public var argon2Iterations: Int
    public var argon2Parallelism: Int
    /// Lifetime of access tokens (API.md: 15 minutes).
    public var accessTokenSeconds: Int
    /// Each plan's limits: `standard` takes `COFFER_DAILY_LIMIT`, the others
    /// `COFFER_PLAN_{PREMIUM,BUSINESS}_{DAILY_LIMIT,CARDS_PER_ACCOUNT,HOLDS_PER_ACCOUNT}`.
    public var plans: PlanCatalogue
    public var supportedCurrencies: [Currency]
    /// The largest balance a credit may produce (API.md "Arithmetic limits").
    public var maxBalance: Int64
    /// Host names the site answers to; an `Origin` on another host is never same-origin, whatever
    /// the `Host` header says (DNS rebinding).
    public var serverNames: [String]
    /// `COFFER_WEBHOOK_ALLOW_PRIVATE=true`: webhooks may target private, loopback and link-local
    /// addresses (development and tests only; off by default).
    public var webhookAllowPrivate: Bool
    /// `COFFER_JOB_LEASE_S`: how long a claimed job is its runner's unless the runner renews it (its
    /// lease keeper does, every second, once less than half a lease and a second is left); a crashed
    /// runner's jobs are claimed again after it. At least 3 s: a renewal then starts with about
    /// 1.5 s of the lease left, or more.
    public var jobLeaseSeconds: Int
    /// `COFFER_METRICS=false`: no /metrics and no metric updates (for an A/B in `make bench`).
    public var metricsEnabled: Bool

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    static let jwtSecretBytesMin = 32
    static let workersMax = 256
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public var description: String { "configuration error: \(variable) \(problem)" }
}

extension Configuration {
    /// - Parameters:
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    ///   - cores: processors available, for the default worker count.
    ///   - inheritedSocket: the listening socket the parent handed over, if any.
    public static func load(
        from environment: [String: String], cores: Int, inheritedSocket: Int32? = nil
    ) throws(ConfigurationError) -> Configuration {
        func value(_ name: String) -> String? { setting(name, in: environment) }

        let appEnv = try parseEnvironment(value("APP_ENV"))
        let dataDir = value("DATA_DIR") ?? "./var"
        let database =
            try value("DATABASE_URL").map { url throws(ConfigurationError) in try DatabaseURL.parse(url) }
            ?? .sqlite(path: "\(dataDir)/coffer.db")
        let (secret, ephemeral) = try parseJWTSecret(value("JWT_SECRET"), environment: appEnv)

        let argon2 = try passwordHashing(from: environment)
        return Configuration(
            environment: appEnv,
            dataDirectory: dataDir,
            database: database,
            databasePoolSize: try parseInteger(
                value("COFFER_DB_POOL_SIZE"), name: "COFFER_DB_POOL_SIZE", default: 16, range: 1...workersMax),
            jwtSecret: secret,
            jwtSecretIsEphemeral: ephemeral,
            logLevel: try parseLogLevel(value("LOG_LEVEL")),
            corsOrigins: try parseCORSOrigins(value("CORS_ORIGINS")),
            listen: try parseListen(value("COFFER_LISTEN"), dataDir: dataDir, inherited: inheritedSocket),
            socketMode: try parseSocketMode(value("COFFER_SOCKET_MODE")),
            workers: try parseInteger(
                value("COFFER_WORKERS"), name: "COFFER_WORKERS", default: min(64, max(8, 16 * cores)),
                range: 1...workersMax),
            synchronous: try parseSynchronous(value("COFFER_SQLITE_SYNCHRONOUS")),
            busyTimeoutMs: try parseInteger(
                value("COFFER_BUSY_TIMEOUT_MS"), name: "COFFER_BUSY_TIMEOUT_MS",
                default: 5000, range: 0...600_000),
            shutdownTimeoutSeconds: try parseInteger(
                value("COFFER_SHUTDOWN_TIMEOUT_S"), name: "COFFER_SHUTDOWN_TIMEOUT_S",
                default: 10, range: 1...3600),
            argon2MemoryKiB: argon2.memoryKiB,
            argon2Iterations: argon2.iterations,
            argon2Parallelism: argon2.parallelism,
            accessTokenSeconds: try parseInteger(value("ACCESS_TOKEN_TTL_S"), name: "ACCESS_TOKEN_TTL_S", default: 900, range: 60...86_400),
            plans: try parsePlans(value),
            supportedCurrencies: try parseCurrencies(value("SUPPORTED_CURRENCIES")),
            maxBalance: Int64(
                try parseInteger(
                    value("COFFER_MAX_BALANCE"), name: "COFFER_MAX_BALANCE",
                    default: 1_000_000_000_000_000, range: 1...1_000_000_000_000_000_000)),
            serverNames: try parseServerNames(value("COFFER_SERVER_NAMES")),
            webhookAllowPrivate: try parseBool(value("COFFER_WEBHOOK_ALLOW_PRIVATE"), name: "COFFER_WEBHOOK_ALLOW_PRIVATE"),
            jobLeaseSeconds: try parseInteger(value("COFFER_JOB_LEASE_S"), name: "COFFER_JOB_LEASE_S", default: 60, range: 3...3600),
            metricsEnabled: value("COFFER_METRICS") == nil ? true : try parseBool(value("COFFER_METRICS"), name: "COFFER_METRICS")
        )
    }

    static func parsePlans(_ value: (String) -> String?) throws(ConfigurationError) -> PlanCatalogue {
        var plans = PlanCatalogue()
        let amounts = 1...1_000_000_000_000_000
        plans.standard.dailyOutflow = Int64(
            try parseInteger(value("COFFER_DAILY_LIMIT"), name: "COFFER_DAILY_LIMIT", default: Int(plans.standard.dailyOutflow), range: amounts))
        for plan in [Plan.premium, .business] {
            let prefix = "COFFER_PLAN_\(plan.rawValue.uppercased())_"
            let defaults = plans[plan]
            plans[plan] = PlanLimits(
                dailyOutflow: Int64(
                    try parseInteger(
                        value(prefix + "DAILY_LIMIT"), name: prefix + "DAILY_LIMIT", default: Int(defaults.dailyOutflow), range: amounts)),
                cardsPerAccount: try parseInteger(
                    value(prefix + "CARDS_PER_ACCOUNT"), name: prefix + "CARDS_PER_ACCOUNT", default: defaults.cardsPerAccount, range: 1...1000),
                pendingHoldsPerAccount: try parseInteger(
                    value(prefix + "HOLDS_PER_ACCOUNT"), name: prefix + "HOLDS_PER_ACCOUNT", default: defaults.pendingHoldsPerAccount,
                    range: 1...1_000_000))
        }
        return plans
    }

    static func parseEnvironment(_ raw: String?) throws(ConfigurationError) -> Environment {
        guard let raw else { return .dev }
        guard let env = Environment(rawValue: raw) else {
            throw ConfigurationError(variable: "APP_ENV", problem: "must be dev, test or prod (got \"\(raw)\")")
        }
        return env
    }

    static func parseBool(_ raw: String?, name: String) throws(ConfigurationError) -> Bool {
        switch raw?.lowercased() {
        case nil, "false", "0", "no": return false
        case "true", "1", "yes": return true
        default: throw ConfigurationError(variable: name, problem: "must be true or false (got \"\(raw ?? "")\")")
        }
    }

    static func parseJWTSecret(_ raw: String?, environment: Environment) throws(ConfigurationError) -> ([UInt8], Bool) {
        if let raw {
            guard raw.utf8.count >= jwtSecretBytesMin else {
                throw ConfigurationError(variable: "JWT_SECRET", problem: "must be at least \(jwtSecretBytesMin) bytes (got \(raw.utf8.count))")
            }
            return (Array(raw.utf8), false)
        }
        guard environment != .prod else {
            throw ConfigurationError(
                variable: "JWT_SECRET",
                problem: "is required when APP_ENV=prod: set it to at least \(jwtSecretBytesMin) random bytes (e.g. openssl rand -base64 48)")
        }
        var generator = SystemRandomNumberGenerator()
        return ((0..<jwtSecretBytesMin).map { _ in generator.next() }, true)
    }

    static func parseLogLevel(_ raw: String?) throws(ConfigurationError) -> String {
        guard let raw else { return "info" }
        let level = raw.lowercased()
        guard logLevels.contains(level) else {
            throw ConfigurationError(variable: "LOG_LEVEL", problem: "must be one of \(logLevels.joined(separator: ", ")) (got \"\(raw)\")")
        }
        return level
    }

    static func parseCORSOrigins(_ raw: String?) throws(ConfigurationError) -> [String] {
        guard let raw else { return [] }
        return try raw.split(separator: ",").map { part throws(ConfigurationError) -> String in
            let origin = String(part).trimmingSpaces
            let isHTTP = origin.hasPrefix("http://") || origin.hasPrefix("https://")
            let rest = origin.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2)
            guard isHTTP, rest.count == 1, let host = rest.first, !host.isEmpty else {
                throw ConfigurationError(
                    variable: "CORS_ORIGINS",
                    problem: "must be a comma-separated list of origins like https://app.example.com (got \"\(origin)\")")
            }
            return origin.lowercased()
        }
    }

    public static let serverNamesDefault = ["localhost", "127.0.0.1", "[::1]"]

    /// Host names without ports, separated by spaces or commas (as nginx's `server_name` lists them).
    static func parseServerNames(_ raw: String?) throws(ConfigurationError) -> [String] {
        guard let raw else { return serverNamesDefault }
        let names = raw.split(whereSeparator: { $0 == " " || $0 == "," }).map { $0.lowercased() }
        for name in names
        where name.isEmpty || name.contains("/") || name.contains("*")
            || (!name.hasPrefix("[") && name.contains(":")) || !name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 })
        {
            throw ConfigurationError(
                variable: "COFFER_SERVER_NAMES",
                problem: "must list host names without scheme, port or wildcard, e.g. bank.example.com (got \"\(name)\")")
        }
        guard !names.isEmpty else { throw ConfigurationError(variable: "COFFER_SERVER_NAMES", problem: "must name at least one host") }
        return names
    }

    static func parseListen(_ raw: String?, dataDir: String, inherited: Int32?) throws(ConfigurationError) -> Listen {
        guard let raw else { return inherited.map { .inherited(fd: $0) } ?? .unix(path: "\(dataDir)/cofferd.sock") }
        if raw.hasPrefix("unix:") { return .unix(path: String(raw.dropFirst(5))) }
        if raw.contains("/") { return .unix(path: raw) }
        guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]), (1...65535).contains(port) else {
            throw ConfigurationError(
                variable: "COFFER_LISTEN",
                problem: "must be a unix socket path (containing /) or host:port with a port 1-65535 (got \"\(raw)\")")
        }
        let host = String(raw[..<colon])
        return .tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }

    static func parseSocketMode(_ raw: String?) throws(ConfigurationError) -> UInt32 {
        guard let raw else { return 0o660 }
        guard let mode = UInt32(raw, radix: 8), mode <= 0o777 else {
            throw ConfigurationError(variable: "COFFER_SOCKET_MODE", problem: "must be an octal file mode such as 0660 (got \"\(raw)\")")
        }
        return mode
    }

    static func parseSynchronous(_ raw: String?) throws(ConfigurationError) -> Synchronous {
        guard let raw else { return .full }
        guard let mode = Synchronous(rawValue: raw.uppercased()) else {
            throw ConfigurationError(variable: "COFFER_SQLITE_SYNCHRONOUS", problem: "must be FULL, EXTRA or NORMAL (got \"\(raw)\")")
        }
        return mode
    }

    static func parseCurrencies(_ raw: String?) throws(ConfigurationError) -> [Currency] {
        let codes = (raw ?? "USD EUR GBP").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        var currencies: [Currency] = []
        for code in codes {
            guard let currency = Currency(code: code) else {
                throw ConfigurationError(
                    variable: "SUPPORTED_CURRENCIES",
                    problem: "lists \(code), which is not one of \(Currency.known.keys.sorted().joined(separator: " "))")
            }
            if !currencies.contains(currency) { currencies.append(currency) }
        }
        guard !currencies.isEmpty else { throw ConfigurationError(variable: "SUPPORTED_CURRENCIES", problem: "must name at least one currency") }
        return currencies
    }

    /// Argon2id's cost from `ARGON2_MEMORY_KIB`, `ARGON2_ITERATIONS` and `ARGON2_PARALLELISM`,
    /// checked as cofferd checks them: the CLI hashes passwords too (`coffer create-admin`).
    public static func passwordHashing(
        from environment: [String: String]
    ) throws(ConfigurationError) -> (memoryKiB: Int, iterations: Int, parallelism: Int) {
        func value(_ name: String) -> String? { setting(name, in: environment) }
        return (
            try parseInteger(value("ARGON2_MEMORY_KIB"), name: "ARGON2_MEMORY_KIB", default: 19_456, range: 1024...4_194_304),
            try parseInteger(value("ARGON2_ITERATIONS"), name: "ARGON2_ITERATIONS", default: 2, range: 1...100),
            try parseInteger(value("ARGON2_PARALLELISM"), name: "ARGON2_PARALLELISM", default: 1, range: 1...16)
        )
    }

    /// A variable's value without surrounding spaces; unset and blank are both nil.
    static func setting(_ name: String, in environment: [String: String]) -> String? {
        guard let raw = environment[name]?.trimmingSpaces, !raw.isEmpty else { return nil }
        return raw
    }

    static func parseInteger(_ raw: String?, name: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let raw else { return fallback }
        guard let number = Int(raw), range.contains(number) else {
            throw ConfigurationError(variable: name, problem: "must be an integer from \(range.lowerBound) to \(range.upperBound) (got \"\(raw)\")")
        }
        return number
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

extension Configuration.Listen: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unix(path): "unix:\(path)"
        case let .tcp(host, port): "\(host):\(port)"
        case let .inherited(fd): "fd:\(fd)"
        }
    }
}
