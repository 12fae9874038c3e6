/// Unpadded base64url (RFC 4648 §5), as JWTs and opaque tokens use it. Decoding is strict:
/// padding, whitespace and non-canonical trailing bits are refused.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let reverse: [Int16] = {
        var table = [Int16](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int16(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    public static func decode(_ text: Substring) -> [UInt8]? { decode(bytes: ArraySlice(text.utf8)) }

    /// Concrete, not generic: called from other modules, a generic version is not specialised and
    /// costs a witness call per byte (a third of an account read, callgrind).
    public static func decode(bytes input: ArraySlice<UInt8>) -> [UInt8]? {
        guard input.count % 4 != 1 else { return nil }
        let capacity = input.count * 3 / 4
        var valid = true
        var buffer: UInt32 = 0
        var bits = 0
        // Written into uninitialised storage through borrowed buffers: per-byte appends and table
        // lookups were 40 instructions a byte (callgrind).
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { output, written in
            written = 0
            reverse.withUnsafeBufferPointer { table in
                input.withUnsafeBufferPointer { bytes in
                    for byte in bytes {
                        let value = table[Int(byte)]
                        guard value >= 0 else {
                            valid = false
                            return
                        }
                        buffer = buffer << 6 | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            output[written] = UInt8(truncatingIfNeeded: buffer >> UInt32(bits))
                            written += 1
                        }
                    }
                }
            }
        }
        guard valid else { return nil }
        // Leftover bits must be zero, so each token has exactly one encoding.
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }

    public static func decode(_ text: String) -> [UInt8]? { decode(Substring(text)) }
}
