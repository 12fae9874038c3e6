import CArgon2

/// Argon2id password hashing through libargon2, stored as the standard PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). Verification reads the parameters from the
/// stored string, so raising them later keeps old hashes valid; `needsRehash` tells when to upgrade.
public struct PasswordHasher: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32

        public init(memoryKiB: UInt32 = 19_456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }
    }

    public let parameters: Parameters
    /// Shared by a process's hashers; nil runs every computation at once (tests, the CLI).
    let slots: HashingSlots?
    static let saltBytes = 16
    static let hashBytes = 32

    public init(parameters: Parameters = Parameters(), slots: HashingSlots? = nil) {
        self.parameters = parameters
        self.slots = slots
    }

    private func limited<T>(_ body: () throws(CryptoError) -> T) throws(CryptoError) -> T {
        guard let slots else { return try body() }
        return try slots.withSlot(body)
    }

    public func hash(_ password: String) throws(CryptoError) -> String {
        try limited { () throws(CryptoError) -> String in try unlimitedHash(password) }
    }

    private func unlimitedHash(_ password: String) throws(CryptoError) -> String {
        let salt = SecureRandom.bytes(Self.saltBytes)
        let password = Array(password.utf8)
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(Self.saltBytes), UInt32(Self.hashBytes), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let rc = password.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBytes in
                argon2id_hash_encoded(
                    parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                    pwd.baseAddress, pwd.count, saltBytes.baseAddress, saltBytes.count,
                    Self.hashBytes, &encoded, length)
            }
        }
        guard rc == ARGON2_OK.rawValue else {
            throw CryptoError(description: "argon2id_hash_encoded: \(String(cString: argon2_error_message(rc)))")
        }
        let bytes = encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when `password` matches the stored PHC string. A malformed stored string is an
    /// error (corrupt data), not a mismatch.
    public func verify(_ password: String, against encoded: String) throws(CryptoError) -> Bool {
        try limited { () throws(CryptoError) -> Bool in try unlimitedVerify(password, against: encoded) }
    }

    private func unlimitedVerify(_ password: String, against encoded: String) throws(CryptoError) -> Bool {
        let password = Array(password.utf8)
        let rc = password.withUnsafeBytes { pwd in argon2id_verify(encoded, pwd.baseAddress, pwd.count) }
        if rc == ARGON2_OK.rawValue { return true }
        if rc == ARGON2_VERIFY_MISMATCH.rawValue { return false }
        throw CryptoError(description: "argon2id_verify: \(String(cString: argon2_error_message(rc)))")
    }

    /// Whether a stored hash was made with other parameters than the current ones.
    public func needsRehash(_ encoded: String) -> Bool {
        Self.parameters(of: encoded) != parameters
    }

    static func parameters(of encoded: String) -> Parameters? {
        let fields = encoded.split(separator: "$")
        guard fields.count == 5, fields[0] == "argon2id", fields[1] == "v=19" else { return nil }
        var values: [String: UInt32] = [:]
        for pair in fields[2].split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let number = UInt32(parts[1]) else { return nil }
            values[String(parts[0])] = number
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        return Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }
}
