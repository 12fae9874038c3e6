import Foundation

/// Speaks FastCGI to cofferd's socket directly, one record at a time, so a test can hold a
/// request half-sent (params delivered, body not yet) and control exactly when it completes.
struct FastCGIClient {
    static let version: UInt8 = 1
    enum RecordType: UInt8 { case beginRequest = 1, endRequest = 3, params = 4, stdin = 5, stdout = 6, stderr = 7 }
    let requestID: UInt16 = 1

    func record(_ type: RecordType, _ content: [UInt8]) -> [UInt8] {
        precondition(content.count <= 65535)
        let padding = (8 - content.count % 8) % 8
        var bytes: [UInt8] = [
            Self.version, type.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0,
        ]
        bytes += content
        bytes += [UInt8](repeating: 0, count: padding)
        return bytes
    }

    /// BEGIN_REQUEST (responder role) plus the complete PARAMS stream.
    func head(_ params: [(String, String)]) -> [UInt8] {
        var encoded: [UInt8] = []
        for (name, value) in params {
            encoded += length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        return record(.beginRequest, [0, 1, 0, 0, 0, 0, 0, 0]) + record(.params, encoded) + record(.params, [])
    }

    /// The STDIN stream: the body, then the empty record that ends it.
    func body(_ bytes: [UInt8]) -> [UInt8] {
        (bytes.isEmpty ? [] : record(.stdin, bytes)) + record(.stdin, [])
    }

    private func length(_ n: Int) -> [UInt8] {
        n < 128 ? [UInt8(n)] : [UInt8((n >> 24) | 0x80), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
    }

    /// Reads records until END_REQUEST and returns the STDOUT stream (CGI-style head and body).
    func readResponse(from stream: SocketStream) -> String {
        var stdout: [UInt8] = []
        while true {
            let header = stream.read(count: 8)
            guard header.count == 8 else { break }
            let contentLength = Int(header[4]) << 8 | Int(header[5])
            let content = stream.read(count: contentLength + Int(header[6]))
            if header[1] == RecordType.stdout.rawValue { stdout += content.prefix(contentLength) }
            if header[1] == RecordType.endRequest.rawValue { break }
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
