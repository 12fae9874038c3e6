import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking client socket with a receive timeout, so a hung server fails a test instead of
/// hanging it.
final class SocketStream {
    let fd: Int32

    init(tcpPort port: Int, timeoutSeconds: Int = 15) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try check(rc, "connect to 127.0.0.1:\(port)")
        setTimeout(timeoutSeconds)
    }

    init(unixPath path: String, timeoutSeconds: Int = 15) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try check(rc, "connect to \(path)")
        setTimeout(timeoutSeconds)
    }

    deinit { close(fd) }

    private func setTimeout(_ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private func check(_ rc: Int32, _ what: String) throws {
        if rc != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SocketError(description: "\(what): \(message)")
        }
    }

    /// Writes everything it can; a peer that closes early (nginx refusing a large body) is not
    /// an error here, since its answer is still to be read.
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// One write, and the errno it failed with (nil when it went through).
    func sendFailure(_ bytes: [UInt8]) -> Int32? {
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL)) }
        return written < 0 ? errno : nil
    }

    /// Reads until the peer closes the connection or the timeout passes.
    func readToEnd() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    /// Reads exactly `count` bytes, or fewer if the peer closes first.
    func read(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while result.count < count {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - result.count, 0) }
            if got <= 0 { break }
            result.append(contentsOf: buffer[0..<got])
        }
        return result
    }
}

struct SocketError: Error, CustomStringConvertible {
    let description: String
}
