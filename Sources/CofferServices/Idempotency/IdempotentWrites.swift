import CofferCore
import CofferStore

/// Runs a write that creates something, honouring `Idempotency-Key` as API.md specifies. The key,
/// the request's fingerprint and the answer are stored in the same transaction as the effect, so
/// a crash can never leave money moved and the key unrecorded, or the reverse. Only answers that
/// ran the operation are kept: 2xx, and 422 (whose partial work a savepoint undoes first).
///
/// A repeat that arrives while the first request with its key is still running answers 409
/// `idempotency_key_in_use`: the key is claimed in this process's `InFlightKeys` for the duration,
/// and in the database for the write transaction (`claimIdempotencyKey`), which is what holds
/// across processes sharing one PostgreSQL.
///
/// The answer is a `StoredResponse` value: the HTTP layer renders it inside the operation (so it
/// is stored with the effect) and turns the outcome back into a response.
public final class IdempotentWrites {
    public struct Request: Sendable {
        public let userID: String
        /// The `Idempotency-Key` header as sent; nil without one.
        public let key: String?
        /// Computed only when there is a key: a write without one pays nothing for it.
        public let fingerprint: RequestFingerprint?

        /// Refuses a malformed key (400) before anything else about the write is looked at.
        public init(userID: String, key: String?, fingerprint: () -> RequestFingerprint) throws(AppError) {
            if let key, !(1...255).contains(key.utf8.count) || !key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) {
                throw AppError.invalidParameter("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
            }
            self.userID = userID
            self.key = key
            self.fingerprint = key == nil ? nil : fingerprint()
        }
    }

    public enum Outcome<Result> {
        /// No key: the operation ran and committed; its answer is rendered after the commit,
        /// outside the write lock (DESIGN.md).
        case performed(Result)
        /// A key: the answer was rendered inside the transaction and stored with the effect.
        case stored(StoredResponse)
        /// The stored answer of an earlier request with the same key.
        case replayed(StoredResponse)
    }

    let store: any Store
    let clock: Clock
    let inFlight: InFlightKeys
    static let keyLifetimeSeconds: Int64 = 86_400

    public init(store: any Store, clock: Clock, inFlight: InFlightKeys) {
        self.store = store
        self.clock = clock
        self.inFlight = inFlight
    }

    /// The answer already kept for this request's key, if any, looked up before anything else about
    /// the write is checked: a repeat is answered as the first request was, even if a check made
    /// before the write would now fail. A key used for another request is a mismatch (422). `run`
    /// looks again inside its transaction, which stays the authority.
    public func earlierAnswer(_ request: Request) throws -> StoredResponse? {
        guard let key = request.key, let fingerprint = request.fingerprint,
            let stored = try store.readOnce({ try $0.idempotencyRecord(userID: request.userID, key: key, now: clock.now()) })
        else { return nil }
        guard fingerprint.matches(stored.fingerprint) else {
            throw AppError(.idempotencyKeyMismatch, "This Idempotency-Key was already used with a different request.")
        }
        return stored.response
    }

    /// - Parameters:
    ///   - operation: the effect; runs inside the write transaction.
    ///   - answer: the answer to keep for the operation's result (only with a key).
    ///   - refusal: the answer to keep for a 422 refusal of the operation (only with a key).
    public func run<Result>(
        _ request: Request, _ operation: (WriteTransaction) throws -> Result, answer: (Result) -> StoredResponse,
        refusal: (AppError) -> StoredResponse
    ) throws -> Outcome<Result> {
        guard let key = request.key, let fingerprint = request.fingerprint else {
            return .performed(try store.write { try operation(WriteTransaction($0)) })
        }
        let now = clock.now()
        let claim = "\(request.userID)\n\(key)"
        guard inFlight.claim(claim) else { throw Self.keyInUse }
        defer { inFlight.release(claim) }
        return try store.write { db in
            guard try db.claimIdempotencyKey(userID: request.userID, key: key) else { throw Self.keyInUse }
            if let stored = try db.idempotencyRecord(userID: request.userID, key: key, now: now) {
                guard fingerprint.matches(stored.fingerprint) else {
                    throw AppError(.idempotencyKeyMismatch, "This Idempotency-Key was already used with a different request.")
                }
                return .replayed(stored.response)
            }
            let response: StoredResponse
            do {
                response = answer(try db.savepoint { try operation(WriteTransaction($0)) })
            } catch let error as AppError where error.code.entry.status == 422 {
                response = refusal(error)
            }
            try db.storeIdempotencyRecord(
                IdempotencyRecord(fingerprint: fingerprint.bytes, response: response), userID: request.userID, key: key,
                at: now, expiresAt: now.adding(seconds: Self.keyLifetimeSeconds))
            return .stored(response)
        }
    }

    private static var keyInUse: AppError {
        AppError(.idempotencyKeyInUse, "A request with this Idempotency-Key is still being processed; retry shortly.", retryAfterSeconds: 1)
    }
}
