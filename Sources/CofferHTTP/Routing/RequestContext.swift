import CofferCore
import Logging

/// What a handler gets: the request, its route, its id and a logger that already carries the id.
public struct RequestContext {
    public let request: Request
    public let requestID: String
    /// The server's own id for the request (see `RequestID.resolveServer`).
    public let serverRequestID: String
    /// The matched path template, e.g. `/v1/accounts/{id}`; logged instead of the raw path.
    public let route: String
    public let parameters: [String: String]
    /// Set once the caller is authenticated, so the request's log line names them.
    public var userID: String?
    public var logger: Logger

    public init(
        request: Request, requestID: String, serverRequestID: String, route: String, parameters: [String: String],
        logger: Logger
    ) {
        self.request = request
        self.requestID = requestID
        self.serverRequestID = serverRequestID
        self.route = route
        self.parameters = parameters
        self.logger = logger
    }

    /// A path parameter the route template declares; a missing one is a programming error.
    public func parameter(_ name: String) -> String {
        guard let value = parameters[name] else { preconditionFailure("route \(route) has no parameter \(name)") }
        return value
    }
}

public typealias Handler = (inout RequestContext) throws -> Response
