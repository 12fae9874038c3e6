import CofferCore

/// The id that ties a response to its log lines: the client's own `X-Request-Id` when it is
/// sane, else the one nginx generated, else a fresh one (requests that bypass nginx, tests).
public enum RequestID {
    static let lengthMax = 128

    public static func resolve(clientHeader: String?, upstream: String?) -> String {
        if let clientHeader, isSane(clientHeader) { return clientHeader }
        if let upstream, isSane(upstream) { return upstream }
        return generate()
    }

    /// nginx's own id when it passed one, else a fresh one: never the client's.
    public static func resolveServer(_ upstream: String?) -> String {
        if let upstream, isSane(upstream) { return upstream }
        return generate()
    }

    public static func isSane(_ candidate: String) -> Bool {
        let bytes = candidate.utf8
        guard (1...lengthMax).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// 128 random bits as 32 hex digits, the same shape as nginx's `$request_id`.
    static func generate() -> String {
        var generator = KernelRandom()
        let high: UInt64 = generator.next()
        let low: UInt64 = generator.next()
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
