import CofferStore

extension StoreError {
    /// A failed statement, folded by its SQLSTATE class: lock and serialisation conflicts are
    /// busy, a lost or refusing server is unavailable, class 23 is a constraint. The SQLSTATE
    /// and the statement text go to `detail`, for logs only.
    init(sqlState: String?, connectionLost: Bool, message: String, sql: String? = nil) {
        let kind: Kind
        switch sqlState {
        case _ where connectionLost: kind = .unavailable
        case let state? where state.hasPrefix("23"): kind = .constraint
        // serialization_failure, deadlock_detected, lock_not_available, query_canceled (a timeout)
        case "40001", "40P01", "55P03", "57014": kind = .busy
        // connection exceptions, insufficient resources, operator intervention (shutdown,
        // cannot connect now), system errors, a read-only standby
        case let state? where ["08", "53", "57", "58"].contains(String(state.prefix(2))) || state == "25006": kind = .unavailable
        case nil: kind = .unavailable
        default: kind = .other
        }
        let detail = [sqlState.map { "SQLSTATE \($0)" }, sql].compactMap { $0 }.joined(separator: ": ")
        self.init(kind, "PostgreSQL error: \(message)", detail: detail.isEmpty ? nil : detail)
    }
}
