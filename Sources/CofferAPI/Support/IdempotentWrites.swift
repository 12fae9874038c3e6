import CofferCore
import CofferHTTP
import CofferServices
import CofferStore

/// Runs a POST that creates something, honouring `Idempotency-Key` as API.md specifies. The key,
/// the request's fingerprint and the answer are stored in the same transaction as the effect, so
/// a crash can never leave money moved and the key unrecorded, or the reverse. Only answers that
/// ran the operation are kept: 2xx, and 422 (whose partial work a savepoint undoes first).
///
/// A repeat that arrives while the first request with its key is still running answers 409
/// `idempotency_key_in_use` (the key is claimed in `InFlightKeys` for the duration).
final class IdempotentWrites {
    let db: Database
    let clock: Clock
    let inFlight: InFlightKeys
    static let keyLifetimeSeconds: Int64 = 86_400
    static let purgeIntervalSeconds: Int64 = 60
    private var lastPurge = Timestamp(millisecondsSinceEpoch: 0)

    init(db: Database, clock: Clock, inFlight: InFlightKeys) {
        self.db = db
        self.clock = clock
        self.inFlight = inFlight
    }

    func run(_ context: RequestContext, principal: Principal, _ operation: (Database) throws -> Response) throws -> Response {
        guard let key = context.request.header("idempotency-key") else {
            return try db.write(operation)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw AppError.invalidParameter("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
        }
        let fingerprint = Self.fingerprint(context.request)
        let now = clock.now()
        let claim = "\(principal.userID)\n\(key)"
        guard inFlight.claim(claim) else {
            throw AppError(
                .idempotencyKeyInUse, "A request with this Idempotency-Key is still being processed; retry shortly.",
                retryAfterSeconds: 1)
        }
        defer { inFlight.release(claim) }
        return try db.write { db in
            try purgeIfDue(db, now: now)
            if let stored = try db.storedResponse(userID: principal.userID, key: key, now: now) {
                guard fingerprint.matches(stored.fingerprint) else {
                    throw AppError(.idempotencyKeyMismatch, "This Idempotency-Key was already used with a different request.")
                }
                return Self.replay(stored, requestID: context.requestID)
            }
            let response: Response
            do {
                response = try db.savepoint(operation)
            } catch let error as AppError where error.code.entry.status == 422 {
                response = ProblemDocument.response(for: error, instance: context.request.path, requestID: context.requestID)
            }
            try db.storeResponse(
                Self.storable(response, fingerprint: fingerprint), userID: principal.userID, key: key,
                at: now, expiresAt: now.adding(seconds: Self.keyLifetimeSeconds))
            return response
        }
    }

    static func fingerprint(_ request: Request) -> RequestFingerprint {
        RequestFingerprint(method: "\(request.method)", path: request.path, query: request.query.pairs, body: request.body)
    }

    static let replayedHeaders = ["content-type", "location"]

    static func storable(_ response: Response, fingerprint: RequestFingerprint) -> StoredResponse {
        let headers = response.headers.filter { replayedHeaders.contains($0.name.lowercased()) }
            .map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        return StoredResponse(fingerprint: fingerprint.bytes, status: response.status, headers: headers, body: response.body)
    }

    /// The stored answer, except that a problem body names the replay's own request id, as its
    /// `X-Request-Id` header does.
    static func replay(_ stored: StoredResponse, requestID: String) -> Response {
        var response = Response(status: stored.status, body: stored.body)
        for line in stored.headers.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { response.setHeader(String(parts[0]), String(parts[1].dropFirst())) }
        }
        response.setHeader("Idempotent-Replayed", "true")
        if response.header("content-type") == ProblemDocument.contentType, case let .object(members)? = try? JSONParser.parse(stored.body) {
            response.body = JSONValue.object(members.map { $0.0 == "request_id" ? ($0.0, .string(requestID)) : $0 }).serialized()
        }
        return response
    }

    private func purgeIfDue(_ db: Database, now: Timestamp) throws {
        guard now.millisecondsSinceEpoch - lastPurge.millisecondsSinceEpoch >= Self.purgeIntervalSeconds * 1000 else { return }
        try db.purgeExpiredIdempotencyKeys(now: now)
        lastPurge = now
    }
}
