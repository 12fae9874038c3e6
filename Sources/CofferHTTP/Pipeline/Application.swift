import CofferCore
import Logging

/// The whole HTTP application as one value: `handle(request) -> response`. It runs the steps
/// every request shares (request id, CORS, routing, error mapping, logging) around the matched
/// handler. Tests call it directly; the FastCGI transport is only an adapter around it.
public struct Application {
    public let router: Router
    let cors: CORSPolicy
    let logger: Logger
    /// Turns errors from lower layers (e.g. a busy database) into catalogue errors; nil means
    /// the error was unexpected and is answered as `internal_error`.
    let translate: (any Error) -> AppError?
    let metrics = RequestMetrics()

    public init(router: Router, cors: CORSPolicy, logger: Logger, translate: @escaping (any Error) -> AppError? = { _ in nil }) {
        self.router = router
        self.cors = cors
        self.logger = logger
        self.translate = translate
    }

    public func handle(_ request: Request) -> Response {
        let started = MonotonicClock.now()
        let requestID = RequestID.resolve(clientHeader: request.headerFields.value(.requestID), upstream: request.upstreamRequestID)
        let serverRequestID = RequestID.resolveServer(request.serverRequestID)
        var requestLogger = logger
        requestLogger[metadataKey: "request_id"] = .string(requestID)
        requestLogger[metadataKey: "server_request_id"] = .string(serverRequestID)

        var outcome = route(request, requestID: requestID, serverRequestID: serverRequestID, logger: requestLogger)
        outcome.response.headerFields[.requestID] = requestID
        // Every answer under /v1/ is about one caller at one moment: no cache may keep it.
        outcome.response.headerFields[.cacheControl] = "no-store"
        if request.method == .head {
            // HEAD tells the length GET would send (RFC 9110 §9.3.2), without the body.
            outcome.response.headerFields[.contentLength] = String(outcome.response.body.count)
            outcome.response.body = []
        }

        let elapsed = MonotonicClock.now() &- started
        RequestLog.write(to: requestLogger, request: request, outcome: outcome, durationMs: Double(elapsed) / 1_000_000)
        metrics.record(method: request.method, route: outcome.route, status: outcome.response.status.code, nanoseconds: elapsed)
        return outcome.response
    }

    struct Outcome {
        var response: Response
        var route: String
        var userID: String?
        var error: AppError?
        /// The cause of a 5xx, for the log line only.
        var cause: String?
    }

    private func route(_ request: Request, requestID: String, serverRequestID: String, logger: Logger) -> Outcome {
        let decision = cors.decide(request)
        let preflight = cors.isPreflight(request)
        var outcome: Outcome
        if decision == .refused {
            outcome = failure(
                AppError(.forbidden, "Cross-origin requests from this origin are not allowed."),
                request, requestID, route: "(cors)")
        } else if preflight, case .allowed = decision {
            outcome = Outcome(response: .noContent(), route: "(preflight)")
        } else {
            outcome = dispatch(request, requestID: requestID, serverRequestID: serverRequestID, logger: logger)
        }
        cors.apply(decision, to: &outcome.response, preflight: preflight)
        return outcome
    }

    private func dispatch(_ request: Request, requestID: String, serverRequestID: String, logger: Logger) -> Outcome {
        switch router.match(request.method, request.path) {
        case .notFound:
            return failure(AppError(.notFound, "No resource at \(request.path)."), request, requestID, route: "(unmatched)")
        case let .methodNotAllowed(allowed):
            let list = allowed.map(\.description).joined(separator: ", ")
            let error = AppError(
                .methodNotAllowed, "\(request.method) is not allowed here; use \(list).",
                details: ["allowed": .array(allowed.map { .string($0.description) })])
            return failure(error, request, requestID, route: "(unmatched)")
        case let .found(route, parameters):
            var context = RequestContext(
                request: request, requestID: requestID, serverRequestID: serverRequestID,
                route: route.template, parameters: parameters, logger: logger)
            do {
                let response = try route.handler(&context)
                return Outcome(response: response, route: route.template, userID: context.userID)
            } catch {
                var outcome = failure(error, request, requestID, route: route.template)
                outcome.userID = context.userID
                return outcome
            }
        }
    }

    private func failure(_ error: any Error, _ request: Request, _ requestID: String, route: String) -> Outcome {
        let appError: AppError
        var cause: String?
        if let known = error as? AppError {
            appError = known
        } else if let translated = translate(error) {
            appError = translated
            cause = String(describing: error)
        } else {
            appError = AppError(.internalError)
            cause = String(describing: error)
        }
        let response = ProblemDocument.response(for: appError, instance: request.path, requestID: requestID)
        return Outcome(response: response, route: route, error: appError, cause: cause)
    }
}
