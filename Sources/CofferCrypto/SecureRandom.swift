import CLibCrypto

/// Cryptographically strong random bytes from OpenSSL's DRBG (seeded by the OS).
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let rc = buffer.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        // Without randomness no token or salt is safe to hand out; stopping is the only safe answer.
        precondition(rc == 1, "RAND_bytes failed")
        return buffer
    }
}
