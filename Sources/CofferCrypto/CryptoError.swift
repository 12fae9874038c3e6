/// A failed call into libcrypto or libargon2. The message names the call, never the input.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
