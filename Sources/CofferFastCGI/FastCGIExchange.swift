import CFastCGI
import CofferHTTP
import HTTPTypes

#if canImport(Glibc)
import Glibc
#endif

/// Converts between one accepted libfcgi request and the transport-independent `Request` /
/// `Response`. Owns no memory: the `FCGX_Request` belongs to the worker that accepted it.
enum FastCGIExchange {
    static func readRequest(_ fcgx: UnsafeMutablePointer<FCGX_Request>, bodyBytesMax: Int) -> Request {
        // The parameters as libfcgi keeps them (NUL-terminated, valid until the request is
        // finished), read in place.
        var entries: [UnsafeBufferPointer<UInt8>] = []
        if var cursor = fcgx.pointee.envp {
            while let entry = cursor.pointee {
                entries.append(UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry)))
                cursor += 1
            }
        }
        return FastCGIRequestMapping.request(parameters: entries, bodyBytesMax: bodyBytesMax) { count in
            readBody(fcgx.pointee.in, count: count)
        }
    }

    /// Ends the request with a plain close(2). libfcgi's own close shuts the write side down and
    /// then waits in poll(2) until nginx hangs up, so that a peer's unread input cannot turn into a
    /// TCP reset that loses the response. Here the input is first read to its end, so nothing is
    /// left unread on either kind of socket, and the worker is back in accept(2) without waiting
    /// for nginx's turn on the CPU (three system calls and a sleep fewer per request).
    static func finish(_ fcgx: UnsafeMutablePointer<FCGX_Request>) {
        if let input = fcgx.pointee.in {
            // Small enough for the stack: at 4 KiB Swift took it from malloc on every request, and
            // what is left to read is almost always only the end-of-input record.
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
                while FCGX_GetStr(buffer.baseAddress!, Int32(buffer.count), input) > 0 {}
            }
        }
        // libfcgi skips the lingering close for a detached request, and clears the flag again.
        fcgx.pointee.detached = 1
        FCGX_Finish_r(fcgx)
        fcgx.pointee.detached = 0
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
        if filled < count { body.removeSubrange(filled...) }
        return body
    }

    static func writeResponse(_ response: Response, to stream: UnsafeMutablePointer<FCGX_Stream>?) {
        guard let stream else { return }
        // nginx copies this line into the HTTP status line as it is: it needs a reason phrase.
        let status = response.status.reasonPhrase.isEmpty ? .standard(response.status.code) : response.status
        // Appended as bytes: growing a String through interpolation was most of a health check's
        // response writing (callgrind).
        var head: [UInt8] = []
        head.reserveCapacity(256)
        append(["Status: ", String(status.code), " ", status.reasonPhrase, "\r\n"], to: &head)
        for field in response.headerFields { append([field.name.rawName, ": ", field.value, "\r\n"], to: &head) }
        // A HEAD answer carries GET's length already; every other one gets its body's.
        if response.status != .noContent && !response.headerFields.contains(.contentLength) {
            append(["Content-Length: ", String(response.body.count), "\r\n"], to: &head)
        }
        append(["\r\n"], to: &head)
        put(head, to: stream)
        put(response.body, to: stream)
    }

    private static func append(_ parts: [String], to bytes: inout [UInt8]) {
        for part in parts { bytes.append(contentsOf: part.utf8) }
    }

    /// `FCGX_PutStr` takes an `Int32` length, so a body goes in pieces of at most 1 MiB: no
    /// response is too large to write (a statement's CSV has no page limit), and the body is
    /// never copied behind its headers first.
    private static func put(_ bytes: [UInt8], to stream: UnsafeMutablePointer<FCGX_Stream>) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
            var offset = 0
            while offset < raw.count {
                let length = min(raw.count - offset, 1 << 20)
                // Fewer bytes written means the connection is gone: nothing more can reach it.
                guard FCGX_PutStr(base + offset, Int32(length), stream) == Int32(length) else { return }
                offset += length
            }
        }
    }
}
