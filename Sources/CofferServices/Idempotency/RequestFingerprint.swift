import CofferCore
import CofferCrypto

/// What makes two requests with one Idempotency-Key "the same" (API.md): method, path, query and
/// the *parsed* body in canonical form, so member order and whitespace do not make a different
/// request. A body that does not parse is never stored (it is answered 400), so its bytes are
/// used as they are.
public struct RequestFingerprint: Sendable, Equatable {
    public let bytes: [UInt8]

    public init(method: String, path: String, query: [(name: String, value: String)], body: [UInt8]) {
        var input = Array("\(method)\n\(path)\n".utf8)
        for pair in query.sorted(by: { ($0.name, $0.value) < ($1.name, $1.value) }) {
            JSONValue.writeString(pair.name, to: &input)
            JSONValue.writeString(pair.value, to: &input)
        }
        input.append(0x0A)
        if body.isEmpty {
            // No body is the same request as `{}` (capture and void take either): a route that
            // needs fields refuses both alike, with a 400 that is never stored.
            input += JSONValue.object([]).canonical.serialized()
        } else if let parsed = try? JSONParser.parse(body) {
            input += parsed.canonical.serialized()
        } else {
            input += body
        }
        bytes = Digest.sha256(input)
    }

    /// Compared in constant time: the stored fingerprint must not be probed byte by byte.
    public func matches(_ stored: [UInt8]) -> Bool {
        Digest.constantTimeEquals(bytes, stored)
    }
}
