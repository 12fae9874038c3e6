import CofferCore
import CofferHTTP
import CofferServices
import HTTPTypes

/// The HTTP side of `IdempotentWrites`: reads the `Idempotency-Key` header and fingerprints the
/// request, renders the operation's answer (and a 422 refusal) into the value the service keeps,
/// and turns a replay back into a response that says so.
struct IdempotentResponses {
    let writes: IdempotentWrites

    /// - Parameters:
    ///   - perform: the service call; runs inside the write transaction.
    ///   - render: its response. Without a key it runs after the commit, outside the write lock;
    ///     with one, inside, so the answer is stored with the effect.
    func run<Result>(
        _ context: RequestContext, principal: Principal, perform: (WriteTransaction) throws -> Result,
        render: (Result) -> Response
    ) throws -> Response {
        try run(context, request(context, principal: principal), perform: perform, render: render)
    }

    /// The write's idempotency request; a malformed key is refused here, so a handler that
    /// checks something before the write can ask for this first and keep the key's 400 first.
    func request(_ context: RequestContext, principal: Principal) throws -> IdempotentWrites.Request {
        try IdempotentWrites.Request(
            userID: principal.userID, key: context.request.headerFields.value(.idempotencyKey),
            fingerprint: { Self.fingerprint(context.request) })
    }

    /// The replay of an earlier answer to this key, for a handler that checks something before the
    /// write: the replay (or the key's mismatch) comes first, as it does inside `run`.
    func earlierAnswer(_ context: RequestContext, _ request: IdempotentWrites.Request) throws -> Response? {
        try writes.earlierAnswer(request).map { Self.replay($0, requestID: context.requestID) }
    }

    func run<Result>(
        _ context: RequestContext, _ request: IdempotentWrites.Request, perform: (WriteTransaction) throws -> Result,
        render: (Result) -> Response
    ) throws -> Response {
        // The answer this request rendered, returned as it is (turning the stored value back
        // into a response was 5% of a transfer).
        var rendered: Response?
        let outcome = try writes.run(
            request, perform,
            answer: { result in
                let response = render(result)
                rendered = response
                return Self.storable(response)
            },
            refusal: { error in
                let response = ProblemDocument.response(for: error, instance: context.request.path, requestID: context.requestID)
                rendered = response
                return Self.storable(response)
            })
        switch outcome {
        case let .performed(result): return render(result)
        case let .replayed(stored): return Self.replay(stored, requestID: context.requestID)
        case .stored:
            guard let rendered else { preconditionFailure("a stored answer was rendered first") }
            return rendered
        }
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
