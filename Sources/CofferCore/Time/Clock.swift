/// Where "now" comes from. Services take a clock so tests can move time forward (lockout
/// windows, token expiry) without sleeping.
public struct Clock: Sendable {
    public let now: @Sendable () -> Timestamp

    public init(now: @escaping @Sendable () -> Timestamp) {
        self.now = now
    }

    public static let system = Clock(now: { Timestamp.now() })
}

extension Timestamp {
    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + seconds * 1000)
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    public var date: CivilDate { CivilDate(daysSinceEpoch: millisecondsSinceEpoch.floorDivided(by: 86_400_000)) }
}
