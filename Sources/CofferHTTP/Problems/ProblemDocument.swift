import CofferCore

/// Renders an `AppError` as the RFC 9457 problem document API.md specifies, with the
/// `error` envelope, so that every error body has the same members.
public enum ProblemDocument {
    public static let contentType = "application/problem+json"

    public static func body(for error: AppError, instance: String, requestID: String) -> JSONValue {
        let entry = error.code.entry
        return [
            "type": .string("/v1/problems/\(error.code.rawValue)"),
            "title": .string(entry.title),
            "status": .int(entry.status),
            "detail": .string(error.detail),
            "instance": .string(instance),
            "request_id": .string(requestID),
            "error": [
                "code": .string(error.code.rawValue),
                "message": .string(error.detail),
                "details": error.details,
            ],
        ]
    }

    public static func response(for error: AppError, instance: String, requestID: String) -> Response {
        var response = Response(
            status: error.code.entry.status, headers: [("Content-Type", contentType)],
            body: body(for: error, instance: instance, requestID: requestID).serialized())
        for header in headers(for: error) { response.setHeader(header.name, header.value) }
        return response
    }

    /// The headers HTTP asks of some codes (RFC 9110, RFC 6750), derived here in one place.
    static func headers(for error: AppError) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let seconds = error.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
        switch error.code {
        case .unauthenticated:
            headers.append(("WWW-Authenticate", "Bearer realm=\"coffer\", error=\"invalid_request\""))
        case .tokenExpired, .tokenRevoked:
            headers.append(("WWW-Authenticate", "Bearer realm=\"coffer\", error=\"invalid_token\""))
        case .methodNotAllowed:
            let allowed = error.details["allowed"]?.arrayValue?.compactMap(\.stringValue) ?? []
            headers.append(("Allow", allowed.joined(separator: ", ")))
        default:
            break
        }
        return headers
    }

    /// The registry entry served at `/v1/problems/{code}`.
    public static func registryEntry(_ code: ErrorCode) -> JSONValue {
        let entry = code.entry
        return [
            "code": .string(code.rawValue),
            "status": .int(entry.status),
            "title": .string(entry.title),
            "retryable": .bool(entry.retryable),
        ]
    }
}
