#if canImport(Glibc)
import Glibc
#endif

/// Wakes a worker blocked in `accept(2)` on a listening socket that is not ours alone. cofferd's
/// own socket is simply `shutdown(2)`, which wakes every worker at once; a socket handed over by
/// systemd stays open in systemd across our restarts, and a shutdown would refuse every
/// connection for whichever cofferd inherits it next. Instead the server sends itself one small
/// FastCGI request per idle worker, marked with the `COFFER_WAKE` parameter, which nginx never
/// sends (it passes only the parameters of fastcgi.conf and `HTTP_*` headers): a worker that
/// accepts one drops it and, the server stopping, exits. One left in the backlog when the process
/// ends is dropped the same way by the next cofferd. (So one process serves an inherited socket, as
/// systemd's `Accept=no` units have it: a sibling would take and drop another's wake-ups.)
enum WakeUpRequest {
    static let parameter = "COFFER_WAKE"

    /// BEGIN_REQUEST (responder), PARAMS `COFFER_WAKE=1`, the empty PARAMS and STDIN that end them.
    static let bytes: [UInt8] = {
        func record(_ type: UInt8, _ content: [UInt8]) -> [UInt8] {
            [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
        }
        let name = Array(parameter.utf8)
        let value: [UInt8] = [UInt8(ascii: "1")]
        return record(1, [0, 1, 0, 0, 0, 0, 0, 0]) + record(4, [UInt8(name.count), UInt8(value.count)] + name + value)
            + record(4, []) + record(5, [])
    }()

    /// Connects to `socket`, sends the request and closes; false when the socket cannot be reached
    /// within `timeoutMilliseconds`.
    static func send(to socket: ListeningSocket, timeoutMilliseconds: Int) -> Bool {
        guard let fd = socket.connectToSelf(timeoutMilliseconds: timeoutMilliseconds) else { return false }
        defer { _ = close(fd) }
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}
