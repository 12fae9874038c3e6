import CofferCore
import CofferTestSupport
import XCTest

/// The `Authorization` header as API.md reads it: `Bearer <access token>`, the scheme in any case,
/// spaces around the parts; anything else is 401 `unauthenticated`.
class AuthorizationHeaderTests: APITestCase {
    func testTheBearerSchemeInAnyCaseWithSpacesAndNothingElse() {
        let ann = t.member()
        let token = ann.accessToken
        let accepted = ["Bearer \(token)", "bearer \(token)", "BEARER \(token)", "  Bearer   \(token)  ", "bEaReR \(token) "]
        for header in accepted {
            let reply = t.send(.get, "/v1/accounts", headers: ["Authorization": header])
            XCTAssertEqual(reply.status, 200, header)
        }
        let kelvin = String(token.dropLast()) + "\u{212A}"
        let refused = [
            "", "Bearer", "Bearer ", "Bearer  ", "Bearer\(token)", "Bearer\t\(token)", "Basic \(token)", "Bearer \(token) extra",
            "Bearerx \(token)", "Bearer \(kelvin)", "Beare \(token)",
        ]
        for header in refused {
            let reply = t.send(.get, "/v1/accounts", headers: ["Authorization": header])
            XCTAssertEqual(reply.status, 401, header)
            XCTAssertEqual(reply.code, "unauthenticated", header)
        }
    }
}
