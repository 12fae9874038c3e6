import CofferHTTP
import HTTPTypes

/// One request's FastCGI parameters (`NAME=value`, as libfcgi hands them over) and body, mapped
/// to the transport-independent `Request`. Kept apart from libfcgi so the fuzzer can drive it
/// with arbitrary bytes: whatever nginx (or anything that reaches the socket) sends, the mapping
/// answers a `Request` and never traps.
public enum FastCGIRequestMapping {
    /// More header fields than nginx's header buffers could ever carry; `HTTPFields` traps at
    /// 65,535, and no input may reach a trap.
    static let headerFieldsMax = 4096
    /// A method that is not an HTTP token matches no route, so it is answered 405.
    static let unparsableMethod = HTTPRequest.Method("UNPARSABLE")!

    /// The parameters the mapping reads; every other one (nginx may be configured to send more)
    /// is skipped without building a string for it.
    enum Parameter: Int, CaseIterable {
        case method, documentURI, requestURI, queryString, contentType, contentLength, remoteAddress, requestID, serverRequestID
        case host

        var name: String {
            switch self {
            case .method: "REQUEST_METHOD"
            case .documentURI: "DOCUMENT_URI"
            case .requestURI: "REQUEST_URI"
            case .queryString: "QUERY_STRING"
            case .contentType: "CONTENT_TYPE"
            case .contentLength: "CONTENT_LENGTH"
            case .remoteAddress: "REMOTE_ADDR"
            case .requestID: "REQUEST_ID"
            case .serverRequestID: "SERVER_REQUEST_ID"
            case .host: "HTTP_HOST"
            }
        }

        static let names: [(bytes: [UInt8], parameter: Parameter)] = allCases.map { (Array($0.name.utf8), $0) }

        /// Compared in place, shortest test first: no array is built and hashed per parameter.
        static func named(_ name: some Collection<UInt8>) -> Parameter? {
            let count = name.count
            return names.first { $0.bytes.count == count && $0.bytes.elementsEqual(name) }?.parameter
        }
    }

    /// Header fields almost every request carries, so their names are not validated and
    /// lower-cased again on every request.
    static let knownFields: [(bytes: [UInt8], name: HTTPField.Name)] =
        ([
            ("HTTP_AUTHORIZATION", .authorization), ("HTTP_CONTENT_TYPE", .contentType), ("HTTP_CONTENT_LENGTH", .contentLength),
            ("HTTP_ACCEPT", .accept), ("HTTP_USER_AGENT", .userAgent), ("HTTP_ORIGIN", .origin),
            ("HTTP_IDEMPOTENCY_KEY", .idempotencyKey), ("HTTP_X_REQUEST_ID", .requestID), ("HTTP_CONNECTION", .connection),
            ("HTTP_ACCEPT_ENCODING", .acceptEncoding), ("HTTP_ACCEPT_LANGUAGE", .acceptLanguage), ("HTTP_REFERER", .referer),
        ] as [(String, HTTPField.Name)]).map { (Array($0.0.utf8), $0.1) }

    static func knownField(_ name: some Collection<UInt8>) -> HTTPField.Name? {
        let count = name.count
        return knownFields.first { $0.bytes.count == count && $0.bytes.elementsEqual(name) }?.name
    }

    /// - Parameter readBody: reads up to the given number of body bytes; called only when the
    ///   declared `CONTENT_LENGTH` is within `bodyBytesMax`.
    public static func request<Entry: Collection<UInt8>>(
        parameters entries: some Sequence<Entry>, bodyBytesMax: Int, readBody: (Int) -> [UInt8]
    ) -> Request {
        var values = ParameterValues()
        var headerFields = HTTPFields()
        // Read as bytes, and only what is used: twenty-odd parameters on every request, and
        // building a string (or a dictionary entry) for each was a tenth of a request's
        // instructions (callgrind, BENCHMARKS.md).
        for bytes in entries {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = bytes[..<equals]
            let value = bytes[bytes.index(after: equals)...]
            if let parameter = Parameter.named(name) {
                values[parameter] = String(decoding: value, as: UTF8.self)
            } else if name.starts(with: "HTTP_".utf8), headerFields.count < headerFieldsMax {
                // A name that is not a token is not a header field; nginx never sends one.
                if let field = knownField(name) ?? HTTPField.Name(headerName(name.dropFirst(5))) {
                    headerFields.append(HTTPField(name: field, value: value))
                }
            }
        }
        if let type = values[.contentType], !type.isEmpty { headerFields[.contentType] = type }

        let declared = Int(values[.contentLength] ?? "").map { max(0, $0) } ?? 0
        let body = declared > 0 && declared <= bodyBytesMax ? Array(readBody(declared).prefix(declared)) : []
        let path = values[.documentURI] ?? String((values[.requestURI] ?? "/").split(separator: "?", maxSplits: 1).first ?? "/")

        return Request(
            method: values[.method].map { HTTPRequest.Method($0) ?? unparsableMethod } ?? .get,
            path: path,
            query: values[.queryString] ?? "",
            headerFields: headerFields,
            authority: values[.host],
            body: body,
            declaredBodyBytes: max(declared, body.count),
            remoteAddress: values[.remoteAddress] ?? "",
            upstreamRequestID: values[.requestID],
            serverRequestID: values[.serverRequestID]
        )
    }

    /// The values read, by parameter (an array: hashing ten keys per request showed up).
    struct ParameterValues {
        private var values = [String?](repeating: nil, count: Parameter.allCases.count)

        subscript(_ parameter: Parameter) -> String? {
            get { values[parameter.rawValue] }
            set { values[parameter.rawValue] = newValue }
        }
    }

    /// `AUTHORIZATION` → `authorization`, `X_REQUEST_ID` → `x-request-id`.
    private static func headerName(_ cgiName: some Collection<UInt8>) -> String {
        String(
            decoding: cgiName.map { byte in
                byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            }, as: UTF8.self)
    }
}
