import Foundation

/// Where the data lives, from `DATABASE_URL`: a SQLite file (the embedded default) or a
/// PostgreSQL database (scale-out). Validated when the process starts, so a typo stops it with
/// a message instead of failing on the first request.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A libpq connection URI, as given (`postgres://` or `postgresql://`).
    case postgres(url: String)

    /// `sqlite:///absolute/path.db`, `sqlite://relative/path.db`,
    /// `postgres://user:password@host:port/database` or `postgresql://…`.
    public static func parse(_ raw: String) throws(ConfigurationError) -> DatabaseURL {
        if raw.hasPrefix("sqlite://") { return .sqlite(path: try sqlitePath(raw)) }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") { return .postgres(url: try postgresURL(raw)) }
        let scheme = raw.split(separator: ":", maxSplits: 1).first.map(String.init) ?? raw
        throw ConfigurationError(
            variable: "DATABASE_URL",
            problem: "must be sqlite:///path/to/coffer.db or postgres://user:password@host:port/database (scheme \"\(redact(scheme))\" is not supported)")
    }

    private static func sqlitePath(_ raw: String) throws(ConfigurationError) -> String {
        var path = String(raw.dropFirst("sqlite://".count))
        if path.hasPrefix("//") { path = String(path.dropFirst()) }
        guard !path.isEmpty, !path.hasSuffix("/"), !path.contains("?"), !path.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "must name a database file, e.g. sqlite:///var/lib/coffer/coffer.db")
        }
        return path
    }

    /// Checks the shape libpq needs (a host and a database name) without parsing what libpq
    /// parses itself (percent-escapes, query options).
    private static func postgresURL(_ raw: String) throws(ConfigurationError) -> String {
        let rest = raw.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        // "postgres:" "" "authority/database?options"
        let example = "e.g. postgres://coffer:secret@127.0.0.1:5432/coffer"
        guard rest.count == 3, !raw.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "is not a valid PostgreSQL URL (\(example))")
        }
        let afterScheme = rest[2]
        guard let slash = afterScheme.firstIndex(of: "/") else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "must name a database after the host (\(example))")
        }
        let authority = afterScheme[..<slash]
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let database = afterScheme[afterScheme.index(after: slash)...].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard !hostAndPort.isEmpty, !hostAndPort.hasPrefix(":") else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "must name a host (\(example))")
        }
        guard !database.isEmpty else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "must name a database after the host (\(example))")
        }
        if let colon = hostAndPort.lastIndex(of: ":"), !hostAndPort.hasSuffix("]") {
            let port = hostAndPort[hostAndPort.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw ConfigurationError(variable: "DATABASE_URL", problem: "has a port that is not 1-65535 (\(example))")
            }
        }
        return raw
    }

    /// Safe for logs and error messages: a PostgreSQL URL with its password replaced by `***`.
    public var description: String {
        switch self {
        case let .sqlite(path): "sqlite://\(path)"
        case let .postgres(url): Self.redact(url)
        }
    }

    /// Replaces the password of `scheme://user:password@host…` with `***`, and the value of every
    /// query parameter libpq reads a password from (`password`, `sslpassword`, …).
    static func redact(_ url: String) -> String {
        let masked = redactAuthority(url)
        guard let question = masked.firstIndex(of: "?") else { return masked }
        let parameters = masked[masked.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            guard let equals = parameter.firstIndex(of: "="), parameter[..<equals].lowercased().contains("password") else {
                return String(parameter)
            }
            return String(parameter[...equals]) + "***"
        }
        return String(masked[...question]) + parameters.joined(separator: "&")
    }

    private static func redactAuthority(_ url: String) -> String {
        guard let (colon, at) = passwordBounds(url) else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// `postgres://user:secret@host/db` → (`postgres://user@host/db`, "secret"), the password
    /// percent-decoded as libpq would: for a tool that takes the password apart (PGPASSWORD), so
    /// that it never shows on a command line.
    public static func splitPassword(_ url: String) -> (url: String, password: String?) {
        guard let (colon, at) = passwordBounds(url) else { return (url, nil) }
        let password = String(url[url.index(after: colon)..<at])
        return (String(url[..<colon]) + String(url[at...]), password.removingPercentEncoding ?? password)
    }

    /// Where `user:password` ends, found as libpq finds it: from `://` up to the first `@` or `/`
    /// (a `?` in between is still part of the password), then the first `:` before it.
    private static func passwordBounds(_ url: String) -> (colon: String.Index, at: String.Index)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        guard let stop = afterScheme.firstIndex(where: { $0 == "@" || $0 == "/" }), afterScheme[stop] == "@",
            let colon = afterScheme[..<stop].firstIndex(of: ":")
        else { return nil }
        return (colon, stop)
    }
}
