/// UUIDv7 identifiers (RFC 9562): 48 bits of Unix milliseconds then random bits, so IDs sort by
/// creation time (good index locality) while staying unguessable enough not to enumerate.
public enum Identifier {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Written straight into 36 bytes: a transfer makes five of these, and building them from
    /// per-byte strings cost more than the rest of the ledger write (callgrind, BENCHMARKS.md).
    public static func make(at time: Timestamp = .now()) -> String {
        var generator = KernelRandom()
        let millis = UInt64(bitPattern: time.millisecondsSinceEpoch)
        let random: (UInt64, UInt16) = (generator.next(), generator.next())
        return String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            func put(_ byte: UInt8) {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                out[position] = hexDigits[Int(byte >> 4)]
                out[position + 1] = hexDigits[Int(byte & 0x0F)]
                position += 2
            }
            for shift in stride(from: 40, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: millis >> UInt64(shift))) }
            put(0x70 | UInt8(truncatingIfNeeded: random.1 >> 8) & 0x0F)  // version 7
            put(UInt8(truncatingIfNeeded: random.1))
            put(0x80 | UInt8(truncatingIfNeeded: random.0 >> 56) & 0x3F)  // variant 10
            for shift in stride(from: 48, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: random.0 >> UInt64(shift))) }
            precondition(position == 36, "a UUID has 36 characters")
            return position
        }
    }

    /// True for the canonical lower-case 8-4-4-4-12 form; anything else can never name a resource.
    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (i, byte) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                        || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                else { return false }
            }
        }
        return true
    }
}
