import CofferCore

/// Compact JWS with HS256 only. Signing writes `{"alg":"HS256","typ":"JWT"}`; verification
/// accepts a header whose `alg` is exactly `HS256` and compares signatures in constant time.
/// What the claims mean (expiry, audience) is the caller's business. One owner at a time (it
/// holds a keyed `HMACKey`): each worker builds its own.
public struct JWTSigner {
    private let key: HMACKey

    public init(key: [UInt8]) {
        precondition(key.count >= 32, "an HS256 key needs at least 32 bytes")
        self.key = HMACKey(key)
    }

    public func sign(_ claims: JSONValue) -> String {
        let header = Base64URL.encode(JSONValue.object([("alg", "HS256"), ("typ", "JWT")]).serialized())
        let payload = Base64URL.encode(claims.serialized())
        let signature = Base64URL.encode(key.authenticate(Array("\(header).\(payload)".utf8)[...]))
        return "\(header).\(payload).\(signature)"
    }

    public enum Rejection: Error, Equatable {
        case malformed
        case algorithmNotAllowed
        case badSignature
    }

    /// The verified claims object, or why the token is not acceptable.
    /// Works on the token's bytes: it arrives with every request, and splitting it as Characters
    /// cost more than the HMAC (callgrind, BENCHMARKS.md).
    public func verify(_ token: String) throws(Rejection) -> JSONValue {
        let bytes = Array(token.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, bytes.count <= 4096,
            let headerBytes = Base64URL.decode(bytes: parts[0]), let payloadBytes = Base64URL.decode(bytes: parts[1]),
            let signature = Base64URL.decode(bytes: parts[2]),
            let header = try? JSONParser.parse(headerBytes), case .object = header
        else {
            throw .malformed
        }
        guard header["alg"] == "HS256" else { throw .algorithmNotAllowed }
        let expected = key.authenticate(bytes[..<parts[1].endIndex])
        guard Digest.constantTimeEquals(signature, expected) else { throw .badSignature }
        guard let claims = try? JSONParser.parse(payloadBytes), case .object = claims else { throw .malformed }
        return claims
    }
}
