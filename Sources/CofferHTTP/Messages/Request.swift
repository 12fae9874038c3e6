import HTTPTypes

/// An HTTP request as the application sees it, independent of how it arrived (FastCGI, a test).
/// Method and header fields are apple/swift-http-types' own.
public struct Request: Sendable {
    public var method: HTTPRequest.Method
    /// The normalised path (nginx's `DOCUMENT_URI`), without the query string.
    public var path: String
    public var query: QueryParameters
    /// Every header field but Host, which is the authority (as in `HTTPRequest`).
    public var headerFields: HTTPFields
    /// The `Host` the client named.
    public var authority: String?
    public var body: [UInt8]
    /// The declared body length when it exceeds what was read (the body was refused, not read).
    public var declaredBodyBytes: Int
    public var remoteAddress: String
    /// The request id assigned by nginx (`REQUEST_ID` FastCGI parameter), if any.
    public var upstreamRequestID: String?
    /// nginx's own `$request_id` (`SERVER_REQUEST_ID`), which no client chooses.
    public var serverRequestID: String?

    public init(
        method: HTTPRequest.Method, path: String, query: String = "", headerFields: HTTPFields = [:], authority: String? = nil,
        body: [UInt8] = [], declaredBodyBytes: Int? = nil, remoteAddress: String = "", upstreamRequestID: String? = nil,
        serverRequestID: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = QueryParameters(query)
        self.headerFields = headerFields
        self.authority = authority
        self.body = body
        self.declaredBodyBytes = declaredBodyBytes ?? body.count
        self.remoteAddress = remoteAddress
        self.upstreamRequestID = upstreamRequestID
        self.serverRequestID = serverRequestID
    }
}
