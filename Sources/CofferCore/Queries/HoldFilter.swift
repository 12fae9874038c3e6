/// Which holds a list shows. `status` is the status as the API shows it at `now`: a pending
/// hold past its expiry lists as expired.
public struct HoldFilter: Sendable {
    public var accountID: String?
    /// Only accounts of this holder (a user's view without `account_id`).
    public var holderID: String?
    /// Only items carrying every one of these metadata entries.
    public var metadata: [String: String] = [:]
    public var status: HoldStatus?
    public var now: Timestamp

    public init(accountID: String? = nil, holderID: String? = nil, status: HoldStatus? = nil, now: Timestamp) {
        self.accountID = accountID
        self.holderID = holderID
        self.status = status
        self.now = now
    }
}
