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

    /// - Parameter readBody: reads up to the given number of body bytes; called only when the
    ///   declared `CONTENT_LENGTH` is within `bodyBytesMax`.
    public static func request(parameters entries: [String], bodyBytesMax: Int, readBody: (Int) -> [UInt8]) -> Request {
        var params: [String: String] = [:]
        var headerFields = HTTPFields()
        // Read as bytes: twenty-odd parameters on every request, and Character-wise string
        // handling was a tenth of a request's instructions (callgrind, BENCHMARKS.md).
        for text in entries {
            let bytes = text.utf8
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = bytes[..<equals]
            let value = String(decoding: bytes[bytes.index(after: equals)...], as: UTF8.self)
            if name.elementsEqual("HTTP_HOST".utf8) {
                params["HTTP_HOST"] = value
            } else if name.starts(with: "HTTP_".utf8) {
                let header = name.dropFirst(5).map { byte -> UInt8 in
                    byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
                }
                // A name that is not a token is not a header field; nginx never sends one.
                if headerFields.count < headerFieldsMax, let name = HTTPField.Name(String(decoding: header, as: UTF8.self)) {
                    headerFields.append(HTTPField(name: name, value: value))
                }
            } else {
                params[String(decoding: name, as: UTF8.self)] = value
            }
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headerFields[.contentType] = type }

        let declared = Int(params["CONTENT_LENGTH"] ?? "").map { max(0, $0) } ?? 0
        let body = declared > 0 && declared <= bodyBytesMax ? Array(readBody(declared).prefix(declared)) : []
        let path = params["DOCUMENT_URI"] ?? String((params["REQUEST_URI"] ?? "/").split(separator: "?", maxSplits: 1).first ?? "/")

        return Request(
            method: params["REQUEST_METHOD"].map { HTTPRequest.Method($0) ?? unparsableMethod } ?? .get,
            path: path,
            query: params["QUERY_STRING"] ?? "",
            headerFields: headerFields,
            authority: params["HTTP_HOST"],
            body: body,
            declaredBodyBytes: max(declared, body.count),
            remoteAddress: params["REMOTE_ADDR"] ?? "",
            upstreamRequestID: params["REQUEST_ID"],
            serverRequestID: params["SERVER_REQUEST_ID"]
        )
    }
}
