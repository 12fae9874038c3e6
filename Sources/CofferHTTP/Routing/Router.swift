import HTTPTypes

/// Maps a method and path to a handler through path templates (`/v1/accounts/{id}`).
/// A path that matches no template is 404; one that matches with another method is 405, and
/// the answer lists the methods that would work.
public struct Router {
    public struct Route {
        public let method: HTTPRequest.Method
        public let template: String
        let segments: [Segment]
        let handler: Handler
    }

    enum Segment: Equatable {
        case literal(String)
        case parameter(String)
    }

    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [HTTPRequest.Method])
        case notFound
    }

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: HTTPRequest.Method, _ template: String, _ handler: @escaping Handler) {
        let segments = Self.split(template).map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        precondition(template.hasPrefix("/"), "route templates start with /: \(template)")
        precondition(!routes.contains { $0.method == method && $0.segments == segments }, "duplicate route \(method) \(template)")
        routes.append(Route(method: method, template: template, segments: segments, handler: handler))
    }

    public func match(_ method: HTTPRequest.Method, _ path: String) -> Match {
        let parts = Self.split(path)
        var best: (template: String, rank: [Bool], parameters: [String: String])?
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            // A literal segment outranks a parameter at the same position: /v1/health/live beats /v1/health/{x}.
            let rank = route.segments.map { if case .literal = $0 { true } else { false } }
            if best == nil || Self.outranks(rank, best!.rank) {
                best = (route.template, rank, parameters)
            }
        }
        guard let best else { return .notFound }
        let candidates = routes.filter { $0.template == best.template }
        let wanted = method == .head ? HTTPRequest.Method.get : method
        if let route = candidates.first(where: { $0.method == wanted }) {
            return .found(route, parameters: best.parameters)
        }
        var allowed = candidates.map(\.method)
        if allowed.contains(.get) { allowed.insert(.head, at: allowed.firstIndex(of: .get)! + 1) }
        return .methodNotAllowed(allowed: allowed)
    }

    static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    static func bind(_ segments: [Segment], to parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case let .literal(text): guard part == text else { return nil }
            case let .parameter(name):
                guard !part.isEmpty else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }

    static func outranks(_ lhs: [Bool], _ rhs: [Bool]) -> Bool {
        for (a, b) in zip(lhs, rhs) where a != b { return a }
        return false
    }
}
