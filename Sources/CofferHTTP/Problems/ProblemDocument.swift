import CofferCore
import HTTPTypes

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
        var headerFields = headerFields(for: error)
        headerFields[.contentType] = contentType
        return Response(
            status: .standard(error.code.entry.status), headerFields: headerFields,
            body: body(for: error, instance: instance, requestID: requestID).serialized())
    }

    /// The header fields HTTP asks of some codes (RFC 9110, RFC 6750), derived here in one place.
    static func headerFields(for error: AppError) -> HTTPFields {
        var fields = HTTPFields()
        if let seconds = error.retryAfterSeconds { fields[.retryAfter] = String(seconds) }
        switch error.code {
        case .unauthenticated:
            fields[.wwwAuthenticate] = "Bearer realm=\"coffer\", error=\"invalid_request\""
        case .invalidCredentials:
            // Every 401 carries a challenge (RFC 9110 15.5.2); a login has no token to call invalid.
            fields[.wwwAuthenticate] = "Bearer realm=\"coffer\""
        case .tokenExpired, .tokenRevoked:
            fields[.wwwAuthenticate] = "Bearer realm=\"coffer\", error=\"invalid_token\""
        case .methodNotAllowed:
            let allowed = error.details["allowed"]?.arrayValue?.compactMap(\.stringValue) ?? []
            fields[.allow] = allowed.joined(separator: ", ")
        default:
            break
        }
        return fields
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
