import CofferCore
import CofferCrypto

/// `Coffer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, one `v1=` per
/// live secret. The key is the secret exactly as shown, `whsec_` prefix included, as UTF-8.
public enum WebhookSignature {
    public static func header(secrets: [String], at time: Timestamp, body: [UInt8]) -> String {
        let seconds = time.millisecondsSinceEpoch / 1000
        let message = Array("\(seconds).".utf8) + body
        let signatures = secrets.map { secret in "v1=" + hex(HMACKey(Array(secret.utf8)).authenticate(message[...])) }
        return (["t=\(seconds)"] + signatures).joined(separator: ",")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }

    /// A new secret: `whsec_` and 32 random bytes, base64url.
    public static func newSecret() -> String {
        "whsec_" + Base64URL.encode(SecureRandom.bytes(32))
    }
}
