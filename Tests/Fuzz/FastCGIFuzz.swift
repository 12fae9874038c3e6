import CofferCore
import CofferHTTP

/// FastCGI parameters as libfcgi hands them over: the input is split at NUL bytes into
/// `NAME=value` entries (as C strings, so invalid UTF-8 is repaired the same way), the part after
/// the first empty entry is the body. The mapped request's body and query are then read as the
/// handlers read them.
enum FastCGIFuzz {
    static func run(_ bytes: [UInt8]) {
        let pieces = bytes.split(separator: 0, omittingEmptySubsequences: false)
        let bodyStart = pieces.firstIndex(where: \.isEmpty) ?? pieces.endIndex
        let entries = pieces[..<bodyStart].map { String(decoding: $0, as: UTF8.self) }
        let body = bodyStart < pieces.endIndex ? Array(pieces[(bodyStart + 1)...].joined(separator: [0])) : []
        let request = FastCGIRequestMapping.request(parameters: entries.map(\.utf8), bodyBytesMax: RequestBody.bytesMax) { count in
            Array(body.prefix(count))
        }
        precondition(request.body.count <= RequestBody.bytesMax, "a body larger than the limit was read")
        _ = try? RequestBody.fields(of: request)
        _ = request.query.names
        _ = request.headerFields[.requestID].map { RequestID.isSane($0) }
    }
}
