import HTTPTypes

/// Maps a method and path to a handler through path templates (`/v1/accounts/{id}`).
/// A path that matches no template is 404; one that matches with another method is 405, and
/// the answer lists the methods that would work.
public struct Router {
    public struct Route {
        public let method: HTTPRequest.Method
        public let template: String
        let segments: [Segment]
        /// Which segments are literals: a literal outranks a parameter at the same position.
        let rank: [Bool]
        /// Routes that share a template share this number (they differ only by method).
        let templateNumber: Int
        let handler: Handler
    }

    enum Segment: Equatable {
        case literal([UInt8])
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
        let segments = Self.split(Array(template.utf8)).map { part -> Segment in
            let text = String(decoding: part, as: UTF8.self)
            return text.hasPrefix("{") && text.hasSuffix("}") ? .parameter(String(text.dropFirst().dropLast())) : .literal(Array(part))
        }
        precondition(template.hasPrefix("/"), "route templates start with /: \(template)")
        precondition(!routes.contains { $0.method == method && $0.segments == segments }, "duplicate route \(method) \(template)")
        let templateNumber = routes.first { $0.template == template }?.templateNumber ?? routes.count
        let rank = segments.map { if case .literal = $0 { true } else { false } }
        routes.append(
            Route(method: method, template: template, segments: segments, rank: rank, templateNumber: templateNumber, handler: handler))
    }

    /// The path is split once and compared as UTF-8 bytes: paths are ASCII, and Character-wise
    /// splitting and comparison were a tenth of an account read (callgrind).
    public func match(_ method: HTTPRequest.Method, _ path: String) -> Match {
        let bytes = Array(path.utf8)
        let parts = Self.split(bytes)
        var best: Route?
        for route in routes where Self.matches(route.segments, parts) {
            if best == nil || Self.outranks(route.rank, best!.rank) { best = route }
        }
        guard let best else { return .notFound }
        let candidates = routes.filter { $0.templateNumber == best.templateNumber }
        let wanted = method == .head ? HTTPRequest.Method.get : method
        if let route = candidates.first(where: { $0.method == wanted }) {
            return .found(route, parameters: Self.parameters(route.segments, parts))
        }
        var allowed = candidates.map(\.method)
        if allowed.contains(.get) { allowed.insert(.head, at: allowed.firstIndex(of: .get)! + 1) }
        return .methodNotAllowed(allowed: allowed)
    }

    static func split(_ path: [UInt8]) -> [ArraySlice<UInt8>] {
        Array(path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst())
    }

    static func matches(_ segments: [Segment], _ parts: [ArraySlice<UInt8>]) -> Bool {
        guard segments.count == parts.count else { return false }
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case let .literal(bytes): guard part.elementsEqual(bytes) else { return false }
            case .parameter: guard !part.isEmpty else { return false }
            }
        }
        return true
    }

    static func parameters(_ segments: [Segment], _ parts: [ArraySlice<UInt8>]) -> [String: String] {
        var parameters: [String: String] = [:]
        for case (let .parameter(name), let part) in zip(segments, parts) {
            parameters[name] = String(decoding: part, as: UTF8.self)
        }
        return parameters
    }

    static func outranks(_ lhs: [Bool], _ rhs: [Bool]) -> Bool {
        for (a, b) in zip(lhs, rhs) where a != b { return a }
        return false
    }
}
