import Synchronization

/// UUIDv7 identifiers (RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter, then 62 random
/// bits, so IDs sort by creation time (good index locality) while staying unguessable enough not
/// to enumerate.
///
/// The counter is RFC 9562's method 1 ("fixed bit-length dedicated counter"): the first ID of a
/// millisecond starts it at a random value below 2,048, each further ID of that millisecond in
/// this process takes the next. IDs made one after another therefore sort in the order they were
/// made, also within a millisecond, so an index on them (a transfer writes seven) takes each new
/// key at its right edge, where SQLite starts a new leaf instead of rebalancing three; with random
/// bits there, keys of one millisecond landed anywhere in the last leaf. The bench could not show
/// fewer pages per commit from it (BENCHMARKS.md); the sequential profile counted a few thousand
/// fewer instructions per transfer, within its noise.
public enum Identifier {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The millisecond of the latest ID and its counter.
    private struct Sequence {
        var millis: UInt64 = 0
        var counter: UInt16 = 0
    }
    private static let sequence = Mutex(Sequence())

    /// The counter for an ID of `millis`: the next one when the latest ID had the same
    /// millisecond, else `start`. Any other millisecond starts again, an earlier one too (another
    /// thread's clock reading, a caller's past or future time), so one odd time never holds the
    /// sequence back. A restart, like a counter run out (4,096 IDs in a millisecond), costs only
    /// the order of IDs within that millisecond, never their uniqueness: 62 random bits remain.
    static func counter(millis: UInt64, start: UInt16) -> UInt16 {
        precondition(start <= 0x07FF, "a counter starts below 2,048, leaving room for as many more")
        return sequence.withLock { latest in
            if millis == latest.millis && latest.counter < 0x0FFF {
                latest.counter += 1
            } else {
                latest = Sequence(millis: millis, counter: start)
            }
            return latest.counter
        }
    }

    /// Written straight into 36 bytes: a transfer makes five of these, and building them from
    /// per-byte strings cost more than the rest of the ledger write (callgrind, BENCHMARKS.md).
    public static func make(at time: Timestamp = .now()) -> String {
        var generator = KernelRandom()
        let millis = UInt64(bitPattern: time.millisecondsSinceEpoch)
        let random = generator.next()
        let counter = Self.counter(millis: millis, start: UInt16(truncatingIfNeeded: generator.next()) & 0x07FF)
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
            put(0x70 | UInt8(truncatingIfNeeded: counter >> 8) & 0x0F)  // version 7
            put(UInt8(truncatingIfNeeded: counter))
            put(0x80 | UInt8(truncatingIfNeeded: random >> 56) & 0x3F)  // variant 10
            for shift in stride(from: 48, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: random >> UInt64(shift))) }
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
