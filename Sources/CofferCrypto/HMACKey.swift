import CLibCrypto

/// An HMAC-SHA-256 key, keyed once. OpenSSL's algorithm lookup and the key schedule run here, at
/// creation; each MAC starts from a copy of that keyed state. (`EVP_Q_mac` redid both on every
/// call: 8% of an authenticated read, callgrind.) Owns its `EVP_MAC_CTX`; one owner at a time
/// (a worker's token service), so not `Sendable`.
public final class HMACKey {
    private let keyed: OpaquePointer

    public init(_ key: [UInt8]) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { preconditionFailure("OpenSSL has no HMAC") }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { preconditionFailure("EVP_MAC_CTX_new failed") }
        let initialised = "digest".withCString { name in
            "SHA256".withCString { digest in
                var params = [
                    OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0), OSSL_PARAM_construct_end(),
                ]
                return key.withUnsafeBytes { bytes in
                    EVP_MAC_init(context, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &params)
                }
            }
        }
        precondition(initialised == 1, "EVP_MAC_init(HMAC-SHA256) failed")
        keyed = context
    }

    deinit {
        EVP_MAC_CTX_free(keyed)
    }

    /// The 32-byte MAC of `message`.
    public func authenticate(_ message: ArraySlice<UInt8>) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(keyed) else { preconditionFailure("EVP_MAC_CTX_dup failed") }
        defer { EVP_MAC_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: 32)
        var length = 0
        let updated = message.withUnsafeBytes { bytes in
            EVP_MAC_update(context, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        let finished = output.withUnsafeMutableBytes { out in
            EVP_MAC_final(context, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, out.count)
        }
        precondition(updated == 1 && finished == 1 && length == 32, "HMAC-SHA256 failed")
        return output
    }
}
