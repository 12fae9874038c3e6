import CFastCGI
import CofferHTTP

/// Converts between one accepted libfcgi request and the transport-independent `Request` /
/// `Response`. Owns no memory: the `FCGX_Request` belongs to the worker that accepted it.
enum FastCGIExchange {
    static func readRequest(_ fcgx: UnsafeMutablePointer<FCGX_Request>, bodyBytesMax: Int) -> Request {
        var params: [String: String] = [:]
        var headers: [String: String] = [:]
        if var cursor = fcgx.pointee.envp {
            while let entry = cursor.pointee {
                let text = String(cString: entry)
                if let equals = text.firstIndex(of: "=") {
                    let name = String(text[..<equals])
                    let value = String(text[text.index(after: equals)...])
                    params[name] = value
                    if name.hasPrefix("HTTP_") {
                        headers[String(name.dropFirst(5)).replacingUnderscores().lowercased()] = value
                    }
                }
                cursor += 1
            }
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }

        let declared = Int(params["CONTENT_LENGTH"] ?? "") ?? 0
        let body = declared > 0 && declared <= bodyBytesMax ? readBody(fcgx.pointee.in, count: declared) : []
        let path = params["DOCUMENT_URI"] ?? String((params["REQUEST_URI"] ?? "/").split(separator: "?", maxSplits: 1).first ?? "/")

        return Request(
            method: HTTPMethod(params["REQUEST_METHOD"] ?? "GET"),
            path: path,
            query: params["QUERY_STRING"] ?? "",
            headers: headers,
            body: body,
            declaredBodyBytes: max(declared, body.count),
            remoteAddress: params["REMOTE_ADDR"] ?? "",
            upstreamRequestID: params["REQUEST_ID"],
            serverRequestID: params["SERVER_REQUEST_ID"]
        )
    }

    private static func readBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?, count: Int) -> [UInt8] {
        guard let stream else { return [] }
        var body = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = body.withUnsafeMutableBytes { raw in
                FCGX_GetStr(raw.baseAddress!.assumingMemoryBound(to: CChar.self) + filled, Int32(count - filled), stream)
            }
            if read <= 0 { break }
            filled += Int(read)
        }
        return Array(body.prefix(filled))
    }

    static func writeResponse(_ response: Response, to stream: UnsafeMutablePointer<FCGX_Stream>?) {
        guard let stream else { return }
        var head = "Status: \(response.status) \(StatusText.of(response.status))\r\n"
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        if response.status != 204 { head += "Content-Length: \(response.body.count)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: response.body)
        bytes.withUnsafeBytes { raw in
            _ = FCGX_PutStr(raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count), stream)
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
