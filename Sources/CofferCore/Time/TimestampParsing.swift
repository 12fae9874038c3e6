extension Timestamp {
    /// An RFC 3339 date-time as a client sends one: `2026-11-01T00:00:00Z`, with optional fractional
    /// seconds (kept to the millisecond, the journal's precision) and `Z` or a `±HH:MM` offset.
    /// Nil for anything else, including a date alone and out-of-range fields.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let date = CivilDate(iso8601: String(decoding: bytes[0..<10], as: UTF8.self)), (1...9999).contains(date.year)
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                return nil
            }
            return bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        guard bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), hour < 24, minute < 60, second < 60
        else { return nil }
        var position = 19
        var millis = 0
        if bytes[position] == UInt8(ascii: ".") {
            let start = position + 1
            position = start
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            guard position > start, position - start <= 9 else { return nil }
            let digits = bytes[start..<min(position, start + 3)].map { Int($0 - UInt8(ascii: "0")) }
            millis = (digits + Array(repeating: 0, count: 3 - digits.count)).reduce(0) { $0 * 10 + $1 }
        }
        var offsetMinutes = 0
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard position + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 == bytes.count, bytes[position + 3] == UInt8(ascii: ":"), let hours = number(position + 1..<position + 3),
                let minutes = number(position + 4..<position + 6), hours < 24, minutes < 60
            else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (bytes[position] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let seconds = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        self.init(millisecondsSinceEpoch: seconds * 1000 + Int64(millis))
    }
}
