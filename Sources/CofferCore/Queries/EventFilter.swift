/// Which events a poller sees: a user's own (nil for staff: all), of one type or all, oldest
/// first after the event `after`.
public struct EventFilter: Sendable {
    public var userID: String?
    public var type: EventType?

    public init(userID: String?, type: EventType?) {
        self.userID = userID
        self.type = type
    }
}
