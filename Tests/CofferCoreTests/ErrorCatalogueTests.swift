import CofferCore
import XCTest

/// The catalogue must say exactly what API.md's error table says.
final class ErrorCatalogueTests: XCTestCase {
    func testEveryCodeHasTheStatusFromAPIMD() {
        let expected: [String: Int] = [
            "invalid_json": 400, "validation_failed": 400, "invalid_parameter": 400, "unauthenticated": 401,
            "invalid_credentials": 401, "token_expired": 401, "token_revoked": 401, "forbidden": 403, "not_found": 404,
            "method_not_allowed": 405, "email_already_exists": 409, "idempotency_key_in_use": 409, "payload_too_large": 413,
            "unsupported_media_type": 415, "insufficient_funds": 422, "currency_mismatch": 422, "account_not_active": 422,
            "same_account": 422, "limit_exceeded": 422, "account_has_balance": 422, "idempotency_key_mismatch": 422,
            "invalid_transition": 422, "balance_limit_exceeded": 422, "account_has_pending_holds": 422, "batch_item_failed": 422,
            "webhook_url_not_allowed": 422, "account_locked": 423,
            "rate_limited": 429, "internal_error": 500,
            "service_unavailable": 503,
        ]
        XCTAssertEqual(Set(ErrorCode.allCases.map(\.rawValue)), Set(expected.keys))
        for code in ErrorCode.allCases {
            XCTAssertEqual(code.entry.status, expected[code.rawValue], code.rawValue)
            XCTAssertFalse(code.entry.title.isEmpty)
            XCTAssertFalse(code.entry.defaultDetail.isEmpty)
        }
    }

    func testRetryableCodesAreTheTemporaryOnes() {
        let retryable = Set(ErrorCode.allCases.filter(\.entry.retryable))
        XCTAssertEqual(retryable, [.idempotencyKeyInUse, .accountLocked, .rateLimited, .internalError, .serviceUnavailable])
    }
}
