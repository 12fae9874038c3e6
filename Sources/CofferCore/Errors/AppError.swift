/// An expected failure that the API answers as a problem document. Its status comes from the
/// catalogue (`ErrorCode.entry`), so a thrower only says what went wrong and why.
public struct AppError: Error, Sendable {
    public let code: ErrorCode
    public let detail: String
    public let details: JSONValue
    /// When a retry may succeed, in seconds; the HTTP layer turns it into `Retry-After`. Errors
    /// say what happened, never how HTTP spells it: the other headers a code needs
    /// (`WWW-Authenticate`, `Allow`) are derived from the code and its details.
    public let retryAfterSeconds: Int?

    public init(_ code: ErrorCode, _ detail: String? = nil, details: JSONValue = .object([]), retryAfterSeconds: Int? = nil) {
        self.code = code
        self.detail = detail ?? code.entry.defaultDetail
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One invalid input field, as listed in `details.fields` of a `validation_failed` problem.
public struct FieldError: Sendable, Equatable {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

extension AppError {
    public static func validation(_ errors: [FieldError]) -> AppError {
        precondition(!errors.isEmpty, "a validation failure must name at least one field")
        let fields = errors.map { JSONValue.object([("field", .string($0.field)), ("message", .string($0.message))]) }
        let summary = errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
        return AppError(.validationFailed, "Invalid fields: \(summary).", details: .object([("fields", .array(fields))]))
    }

    public static func invalidParameter(_ name: String, _ message: String) -> AppError {
        AppError(
            .invalidParameter, "Parameter \(name) \(message).",
            details: .object([("parameter", .string(name)), ("message", .string(message))]))
    }
}
