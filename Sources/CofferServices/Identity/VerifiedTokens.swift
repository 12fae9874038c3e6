/// Access tokens this worker verified lately, with their claims. A client sends the same token
/// with every request for its fifteen minutes, and checking its HMAC and parsing its claims again
/// was a fifth of an authenticated read (callgrind). What is remembered never changes for a
/// given token string (signature, issuer, audience, the claims themselves); the time checks and
/// the database checks (denylist, session, user) still run on every request. Oldest out first;
/// one per worker, so unsynchronised and not `Sendable`.
final class VerifiedTokens {
    private var claims: [String: AccessTokens.Claims] = [:]
    private var order: [String?]
    private var next = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        order = Array(repeating: nil, count: capacity)
    }

    subscript(token: String) -> AccessTokens.Claims? { claims[token] }

    func remember(_ token: String, _ verified: AccessTokens.Claims) {
        guard claims[token] == nil else { return }
        if let oldest = order[next] { claims[oldest] = nil }
        order[next] = token
        claims[token] = verified
        next = (next + 1) % order.count
    }
}
