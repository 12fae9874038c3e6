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
    /// The indexes in `routes` of each template's routes (one per method), by template number.
    private var routesOfTemplate: [[Int]] = []
    /// Template numbers by shape, in order: a path is compared only with the templates of its own
    /// shape, and of the same shape with a parameter second. Comparing it with all sixty-odd
    /// templates took few instructions but read each one's segments from memory: 3.4% of the
    /// workers' perf samples under transfer load, 0.5% since.
    private var templatesByShape: [Shape: [Int]] = [:]

    /// How many segments a template has, and its second one if that is a literal (`transfers` in
    /// `/v1/transfers/{id}`).
    struct Shape: Hashable {
        let count: Int
        let second: [UInt8]?
    }

    public init() {}

    public mutating func add(_ method: HTTPRequest.Method, _ template: String, _ handler: @escaping Handler) {
        let segments = Self.split(Array(template.utf8)).map { part -> Segment in
            let text = String(decoding: part, as: UTF8.self)
            return text.hasPrefix("{") && text.hasSuffix("}") ? .parameter(String(text.dropFirst().dropLast())) : .literal(Array(part))
        }
        precondition(template.hasPrefix("/"), "route templates start with /: \(template)")
        precondition(!routes.contains { $0.method == method && $0.segments == segments }, "duplicate route \(method) \(template)")
        let templateNumber = routes.first { $0.template == template }?.templateNumber ?? routesOfTemplate.count
        if templateNumber == routesOfTemplate.count {
            routesOfTemplate.append([])
            var second: [UInt8]?
            if segments.count > 1, case let .literal(bytes) = segments[1] { second = bytes }
            templatesByShape[Shape(count: segments.count, second: second), default: []].append(templateNumber)
        }
        routesOfTemplate[templateNumber].append(routes.count)
        let rank = segments.map { if case .literal = $0 { true } else { false } }
        routes.append(
            Route(method: method, template: template, segments: segments, rank: rank, templateNumber: templateNumber, handler: handler))
    }

    /// The path is split once and compared as UTF-8 bytes: paths are ASCII, and Character-wise
    /// splitting and comparison were a tenth of an account read (callgrind).
    /// Routes are visited by index, one per template: copying each `Route` out of the array in
    /// the loop retained and released its arrays and handler for all sixty-odd routes, a few
    /// per cent of a request (perf).
    public func match(_ method: HTTPRequest.Method, _ path: String) -> Match {
        let bytes = Array(path.utf8)
        let parts = Self.split(bytes)
        var templates = templatesByShape[Shape(count: parts.count, second: nil)] ?? []
        if parts.count > 1, let literal = templatesByShape[Shape(count: parts.count, second: Array(parts[1]))] {
            // Merged in template order, so that ties go to the earlier template as they always did.
            templates = (templates + literal).sorted()
        }
        var best: Int?
        for template in templates {
            let index = routesOfTemplate[template][0]
            guard Self.matches(routes[index].segments, parts) else { continue }
            if let current = best, !Self.outranks(routes[index].rank, routes[current].rank) { continue }
            best = index
        }
        guard let best else { return .notFound }
        let candidates = routesOfTemplate[routes[best].templateNumber]
        let wanted = method == .head ? HTTPRequest.Method.get : method
        if let index = candidates.first(where: { routes[$0].method == wanted }) {
            let route = routes[index]
            return .found(route, parameters: Self.parameters(route.segments, parts))
        }
        var allowed = candidates.map { routes[$0].method }
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
