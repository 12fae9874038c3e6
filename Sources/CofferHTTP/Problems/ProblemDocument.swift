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
        for header in error.headers { response.setHeader(header.name, header.value) }
        return response
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
