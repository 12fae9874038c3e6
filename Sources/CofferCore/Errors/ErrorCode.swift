/// Every error the API can answer, in one table. The HTTP status, title and retryability of a code
/// live here and nowhere else; handlers throw `AppError(code)` and never pick a status themselves.
public enum ErrorCode: String, CaseIterable, Sendable {
    case invalidJSON = "invalid_json"
    case validationFailed = "validation_failed"
    case invalidParameter = "invalid_parameter"
    case unauthenticated
    case invalidCredentials = "invalid_credentials"
    case tokenExpired = "token_expired"
    case tokenRevoked = "token_revoked"
    case forbidden
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case emailAlreadyExists = "email_already_exists"
    case idempotencyKeyInUse = "idempotency_key_in_use"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case insufficientFunds = "insufficient_funds"
    case currencyMismatch = "currency_mismatch"
    case accountNotActive = "account_not_active"
    case sameAccount = "same_account"
    case limitExceeded = "limit_exceeded"
    case accountHasBalance = "account_has_balance"
    case idempotencyKeyMismatch = "idempotency_key_mismatch"
    case invalidTransition = "invalid_transition"
    case balanceLimitExceeded = "balance_limit_exceeded"
    case accountHasPendingHolds = "account_has_pending_holds"
    case batchItemFailed = "batch_item_failed"
    case webhookURLNotAllowed = "webhook_url_not_allowed"
    case accountLocked = "account_locked"
    case rateLimited = "rate_limited"
    case internalError = "internal_error"
    case serviceUnavailable = "service_unavailable"

    public struct Entry: Sendable {
        public let status: Int
        public let title: String
        /// Whether repeating the same request later may succeed without changing it.
        public let retryable: Bool
        /// The `detail` used when the thrower has nothing more specific to say.
        public let defaultDetail: String
    }

    public var entry: Entry {
        switch self {
        case .invalidJSON:
            Entry(
                status: 400, title: "Invalid JSON", retryable: false,
                defaultDetail: "The request body is not a valid JSON object.")
        case .validationFailed:
            Entry(
                status: 400, title: "Validation failed", retryable: false,
                defaultDetail: "One or more fields are invalid.")
        case .invalidParameter:
            Entry(
                status: 400, title: "Invalid parameter", retryable: false,
                defaultDetail: "A query parameter or header is invalid.")
        case .unauthenticated:
            Entry(
                status: 401, title: "Unauthenticated", retryable: false,
                defaultDetail: "A valid bearer token is required.")
        case .invalidCredentials:
            Entry(
                status: 401, title: "Invalid credentials", retryable: false,
                defaultDetail: "The email or password is incorrect.")
        case .tokenExpired:
            Entry(
                status: 401, title: "Token expired", retryable: false,
                defaultDetail: "The token has expired.")
        case .tokenRevoked:
            Entry(
                status: 401, title: "Token revoked", retryable: false,
                defaultDetail: "The token is no longer valid.")
        case .forbidden:
            Entry(
                status: 403, title: "Forbidden", retryable: false,
                defaultDetail: "Your role does not allow this action.")
        case .notFound:
            Entry(
                status: 404, title: "Not found", retryable: false,
                defaultDetail: "The requested resource does not exist.")
        case .methodNotAllowed:
            Entry(
                status: 405, title: "Method not allowed", retryable: false,
                defaultDetail: "This method is not allowed on this resource.")
        case .emailAlreadyExists:
            Entry(
                status: 409, title: "Email already exists", retryable: false,
                defaultDetail: "An account with this email already exists.")
        case .idempotencyKeyInUse:
            Entry(
                status: 409, title: "Idempotency key in use", retryable: true,
                defaultDetail: "A request with this Idempotency-Key is still being processed.")
        case .payloadTooLarge:
            Entry(
                status: 413, title: "Payload too large", retryable: false,
                defaultDetail: "The request body is larger than 64 KiB.")
        case .unsupportedMediaType:
            Entry(
                status: 415, title: "Unsupported media type", retryable: false,
                defaultDetail: "The request body must be application/json.")
        case .insufficientFunds:
            Entry(
                status: 422, title: "Insufficient funds", retryable: false,
                defaultDetail: "The available balance is too low.")
        case .currencyMismatch:
            Entry(
                status: 422, title: "Currency mismatch", retryable: false,
                defaultDetail: "The currency differs from the account's.")
        case .accountNotActive:
            Entry(
                status: 422, title: "Account not active", retryable: false,
                defaultDetail: "The account is frozen or closed.")
        case .sameAccount:
            Entry(
                status: 422, title: "Same account", retryable: false,
                defaultDetail: "The source and destination accounts are the same.")
        case .limitExceeded:
            Entry(
                status: 422, title: "Limit exceeded", retryable: false,
                defaultDetail: "A limit on this account would be exceeded.")
        case .accountHasBalance:
            Entry(
                status: 422, title: "Account has balance", retryable: false,
                defaultDetail: "An account can only be closed at a balance of 0.")
        case .idempotencyKeyMismatch:
            Entry(
                status: 422, title: "Idempotency key mismatch", retryable: false,
                defaultDetail: "This Idempotency-Key was used with a different request.")
        case .invalidTransition:
            Entry(
                status: 422, title: "Invalid transition", retryable: false,
                defaultDetail: "This status change is not allowed from the current status.")
        case .balanceLimitExceeded:
            Entry(
                status: 422, title: "Balance limit exceeded", retryable: false,
                defaultDetail: "This credit would take the balance above the largest one allowed.")
        case .accountHasPendingHolds:
            Entry(
                status: 422, title: "Account has pending holds", retryable: false,
                defaultDetail: "The account still has pending holds; capture or void them before closing it.")
        case .batchItemFailed:
            Entry(
                status: 422, title: "Batch item failed", retryable: false,
                defaultDetail: "One item of the atomic batch was refused, so none was applied.")
        case .webhookURLNotAllowed:
            Entry(
                status: 422, title: "Webhook URL not allowed", retryable: false,
                defaultDetail: "Webhook URLs must be https:// and resolve to public addresses.")
        case .accountLocked:
            Entry(
                status: 423, title: "Account locked", retryable: true,
                defaultDetail: "Too many failed logins; try again later.")
        case .rateLimited:
            Entry(
                status: 429, title: "Too many requests", retryable: true,
                defaultDetail: "Too many requests; slow down and retry later.")
        case .internalError:
            Entry(
                status: 500, title: "Internal error", retryable: true,
                defaultDetail: "An unexpected error occurred. It has been logged.")
        case .serviceUnavailable:
            Entry(
                status: 503, title: "Service unavailable", retryable: true,
                defaultDetail: "The service is temporarily unavailable; retry later.")
        }
    }
}
