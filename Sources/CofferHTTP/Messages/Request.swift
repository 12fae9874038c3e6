/// An HTTP request as the application sees it, independent of how it arrived (FastCGI, a test).
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The normalised path (nginx's `DOCUMENT_URI`), without the query string.
    public var path: String
    public var query: QueryParameters
    /// Header names are lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The declared body length when it exceeds what was read (the body was refused, not read).
    public var declaredBodyBytes: Int
    public var remoteAddress: String
    /// The request id assigned by nginx (`REQUEST_ID` FastCGI parameter), if any.
    public var upstreamRequestID: String?
    /// nginx's own `$request_id` (`SERVER_REQUEST_ID`), which no client chooses.
    public var serverRequestID: String?

    public init(
        method: HTTPMethod, path: String, query: String = "", headers: [String: String] = [:],
        body: [UInt8] = [], declaredBodyBytes: Int? = nil, remoteAddress: String = "", upstreamRequestID: String? = nil,
        serverRequestID: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = QueryParameters(query)
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
        self.declaredBodyBytes = declaredBodyBytes ?? body.count
        self.remoteAddress = remoteAddress
        self.upstreamRequestID = upstreamRequestID
        self.serverRequestID = serverRequestID
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
