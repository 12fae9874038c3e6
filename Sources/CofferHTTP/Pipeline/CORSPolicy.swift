import CofferCore

/// Cross-origin requests are refused unless their origin is configured; same-origin requests
/// (the browser app served by the same nginx) pass. Same-origin means the `Origin` names the
/// `Host` the request was sent to *and* that host is one of the configured server names: a page
/// on a rebinding domain (`Host: evil.example`, pointed at this machine) is never same-origin.
public struct CORSPolicy: Sendable {
    public let allowedOrigins: Set<String>
    public let serverNames: Set<String>
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
    static let exposedHeaders = "X-Request-Id, Idempotent-Replayed, Retry-After, Location"

    public init(allowedOrigins: [String], serverNames: [String]) {
        self.allowedOrigins = Set(allowedOrigins.map { $0.lowercased() })
        self.serverNames = Set(serverNames.map { $0.lowercased() })
    }

    public enum Decision: Equatable {
        /// No `Origin`, or the same origin: nothing to add.
        case sameOrigin
        /// An allowed foreign origin: the response carries the CORS headers.
        case allowed(origin: String)
        case refused
    }

    public func decide(_ request: Request) -> Decision {
        guard let origin = request.headerFields.value(.origin)?.lowercased() else { return .sameOrigin }
        let originAuthority = origin.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first.map(String.init)
        if let host = request.authority?.lowercased(), originAuthority == host, serverNames.contains(Self.hostName(host)) {
            return .sameOrigin
        }
        return allowedOrigins.contains(origin) ? .allowed(origin: origin) : .refused
    }

    /// `host:port` without the port; an IPv6 literal keeps its brackets (`[::1]`).
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") { return String(authority[...close]) }
        guard let colon = authority.lastIndex(of: ":") else { return authority }
        return String(authority[..<colon])
    }

    public func isPreflight(_ request: Request) -> Bool {
        request.method == .options && request.headerFields[.accessControlRequestMethod] != nil
    }

    public func apply(_ decision: Decision, to response: inout Response, preflight: Bool) {
        guard case let .allowed(origin) = decision else { return }
        response.headerFields[.accessControlAllowOrigin] = origin
        response.headerFields[.vary] = "Origin"
        if preflight {
            response.headerFields[.accessControlAllowMethods] = Self.allowedMethods
            response.headerFields[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headerFields[.accessControlMaxAge] = "600"
        } else {
            response.headerFields[.accessControlExposeHeaders] = Self.exposedHeaders
        }
    }
}
