import CofferCore

/// Cross-origin requests are refused unless their origin is configured; same-origin requests
/// (the browser app served by the same nginx) pass. Same-origin means the `Origin` names the
/// `Host` the request was sent to *and* that host is one of the configured server names: a page
/// on a rebinding domain (`Host: evil.example`, pointed at this machine) is never same-origin.
public struct CORSPolicy: Sendable {
    public let allowedOrigins: Set<String>
    public let serverNames: Set<String>
    static let allowedMethods = "GET, POST, PATCH, DELETE, OPTIONS"
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
        guard let origin = request.header("origin")?.lowercased() else { return .sameOrigin }
        let originAuthority = origin.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first.map(String.init)
        if let host = request.header("host")?.lowercased(), originAuthority == host, serverNames.contains(Self.hostName(host)) {
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
        request.method == .options && request.header("access-control-request-method") != nil
    }

    public func apply(_ decision: Decision, to response: inout Response, preflight: Bool) {
        guard case let .allowed(origin) = decision else { return }
        response.setHeader("Access-Control-Allow-Origin", origin)
        response.setHeader("Vary", "Origin")
        if preflight {
            response.setHeader("Access-Control-Allow-Methods", Self.allowedMethods)
            response.setHeader("Access-Control-Allow-Headers", Self.allowedHeaders)
            response.setHeader("Access-Control-Max-Age", "600")
        } else {
            response.setHeader("Access-Control-Expose-Headers", Self.exposedHeaders)
        }
    }
}
