import CofferCore
import CofferHTTP
import CofferServices
import HTTPTypes

/// The HTTP side of `IdempotentWrites`: reads the `Idempotency-Key` header and fingerprints the
/// request, renders the operation's answer (and a 422 refusal) into the value the service keeps,
/// and turns a replay back into a response that says so.
struct IdempotentResponses {
    let writes: IdempotentWrites

    func run(_ context: RequestContext, principal: Principal, _ operation: (WriteTransaction) throws -> Response) throws -> Response {
        let request = IdempotentWrites.Request(
            userID: principal.userID, key: context.request.headerFields[.idempotencyKey],
            fingerprint: { Self.fingerprint(context.request) })
        // The answer this request rendered, returned as it is unless the service replays an
        // earlier one (turning the stored value back into a response was 5% of a transfer).
        var rendered: Response?
        let outcome = try writes.run(
            request,
            { transaction in
                let response = try operation(transaction)
                rendered = response
                return Self.storable(response)
            },
            refusal: { error in
                let response = ProblemDocument.response(for: error, instance: context.request.path, requestID: context.requestID)
                rendered = response
                return Self.storable(response)
            })
        if outcome.replayed { return Self.replay(outcome.response, requestID: context.requestID) }
        guard let rendered else { preconditionFailure("a write that was not replayed ran its operation") }
        return rendered
    }

    static func fingerprint(_ request: Request) -> RequestFingerprint {
        RequestFingerprint(method: request.method.rawValue, path: request.path, query: request.query.pairs, body: request.body)
    }

    static let replayedFields: [HTTPField.Name] = [.contentType, .location]

    static func storable(_ response: Response) -> StoredResponse {
        let headers = response.headerFields.filter { replayedFields.contains($0.name) }
            .map { "\($0.name.rawName): \($0.value)" }.joined(separator: "\n")
        return StoredResponse(status: response.status.code, headers: headers, body: response.body)
    }

    static func response(_ stored: StoredResponse) -> Response {
        var response = Response(status: .standard(stored.status), body: stored.body)
        for line in stored.headers.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let name = HTTPField.Name(String(parts[0])) {
                response.headerFields[name] = String(parts[1].dropFirst())
            }
        }
        return response
    }

    /// The stored answer, except that a problem body names the replay's own request id, as its
    /// `X-Request-Id` header does.
    static func replay(_ stored: StoredResponse, requestID: String) -> Response {
        var response = response(stored)
        response.headerFields[.idempotentReplayed] = "true"
        if response.headerFields[.contentType] == ProblemDocument.contentType, case let .object(members)? = try? JSONParser.parse(stored.body) {
            response.body = JSONValue.object(members.map { $0.0 == "request_id" ? ($0.0, .string(requestID)) : $0 }).serialized()
        }
        return response
    }
}
