import CofferCore

#if canImport(Glibc)
import Glibc
#endif

public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

/// The socket cofferd accepts FastCGI connections on. Opened here rather than with
/// `FCGX_OpenSocket`, which unlinks a live socket file and calls `exit()` when bind fails.
public final class ListeningSocket: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init; the fd is only passed to
    // accept(2)/shutdown(2), which the kernel serialises.
    public let fileDescriptor: Int32
    public let address: Configuration.Listen
    /// The unix socket's inode, so cleanup only unlinks a path that is still ours.
    private let inode: UInt?

    static let backlog: Int32 = 1024

    public init(_ address: Configuration.Listen, socketMode: UInt32) throws {
        self.address = address
        switch address {
        case let .inherited(fd):
            guard Self.isListeningSocket(fd) else {
                throw ListenError(description: "fd \(fd) is not a listening socket")
            }
            fileDescriptor = fd
            inode = nil
        case let .unix(path):
            (fileDescriptor, inode) = try Self.openUnix(path: path, mode: socketMode)
        case let .tcp(host, port):
            fileDescriptor = try Self.openTCP(host: host, port: port)
            inode = nil
        }
    }

    /// The listening socket the parent handed over, if any, with the rules of `sd_listen_fds(3)`:
    /// under systemd socket activation it is fd 3 when `LISTEN_PID` names this process and
    /// `LISTEN_FDS` is 1; otherwise fd 0 when that is a listening socket (spawn-fcgi). The
    /// `LISTEN_*` variables are removed so nothing this process starts mistakes them for its own.
    public static func inheritedSocket() throws -> Int32? {
        let environment = ProcessEnvironment.self
        defer {
            for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        }
        if let pid = environment.value("LISTEN_PID"), pid == String(getpid()), let count = environment.value("LISTEN_FDS") {
            let first: Int32 = 3  // SD_LISTEN_FDS_START
            // Several sockets would be a unit this program was not written for: refuse it rather
            // than serve on one and silently ignore the others.
            guard count == "1", isListeningSocket(first) else {
                throw ListenError(description: "socket activation passed LISTEN_FDS=\(count); cofferd takes exactly one listening socket")
            }
            _ = fcntl(first, F_SETFD, FD_CLOEXEC)
            return first
        }
        return isListeningSocket(0) ? 0 : nil
    }

    static func isListeningSocket(_ fd: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting == 1
    }

    /// A socket the parent handed over and still holds (systemd): it must outlive this process.
    public var isShared: Bool {
        if case .inherited = address { return true }
        return false
    }

    /// Wakes every thread blocked in accept(2): on Linux `shutdown` makes them return with an error.
    /// Only for a socket of our own (see `WakeUpRequest` for a shared one).
    public func stopAccepting() {
        precondition(!isShared, "a shared socket is never shut down")
        shutdown(fileDescriptor, Int32(SHUT_RDWR))
    }

    /// A client connection to this very socket, at the address it is bound to (loopback for a TCP
    /// socket bound to every address); nil when that fails.
    func connectToSelf(timeoutMilliseconds: Int) -> Int32? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    if address.pointee.sin_addr.s_addr == INADDR_ANY { address.pointee.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian }
                }
            }
        case AF_INET6:
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var any = in6addr_any
                    if memcmp(&address.pointee.sin6_addr, &any, MemoryLayout<in6_addr>.size) == 0 { address.pointee.sin6_addr = in6addr_loopback }
                }
            }
        case AF_UNIX: break
        default: return nil
        }
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        // connect(2) on a unix socket with a full backlog, and write(2), wait at most this long.
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else {
            _ = Glibc.close(fd)
            return nil
        }
        return fd
    }

    /// Closes the socket and removes its file if the file is still the one this process created.
    public func close() {
        _ = Glibc.close(fileDescriptor)
        guard case let .unix(path) = address, let inode else { return }
        var info = stat()
        if lstat(path, &info) == 0, UInt(info.st_ino) == inode { unlink(path) }
    }

    private static func openUnix(path: String, mode: UInt32) throws -> (Int32, UInt) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw ListenError(description: "socket path \(path) is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        try removeStaleSocket(path: path, address: address)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ListenError(description: "socket(): \(errnoText())") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let text = errnoText()
            _ = Glibc.close(fd)
            throw ListenError(description: "cannot bind \(path): \(text)")
        }
        // The umask would decide who may connect; nginx's workers often run as another user.
        guard chmod(path, mode_t(mode)) == 0, listen(fd, backlog) == 0 else {
            let text = errnoText()
            _ = Glibc.close(fd)
            unlink(path)
            throw ListenError(description: "cannot listen on \(path): \(text)")
        }
        var info = stat()
        lstat(path, &info)
        return (fd, UInt(info.st_ino))
    }

    /// A socket file left by a crashed process is removed; one that still accepts is refused,
    /// so a second cofferd never steals a running one's socket.
    private static func removeStaleSocket(path: String, address: sockaddr_un) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw ListenError(description: "\(path) exists and is not a socket")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(probe) }
        var target = address
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 {
            throw ListenError(description: "another process is already listening on \(path)")
        }
        unlink(path)
    }

    private static func openTCP(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &results)
        guard rc == 0, let first = results else {
            throw ListenError(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(results) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw ListenError(description: "socket(): \(errnoText())") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(fd, backlog) == 0 else {
            let text = errnoText()
            _ = Glibc.close(fd)
            throw ListenError(description: "cannot listen on \(host):\(port): \(text)")
        }
        return fd
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// The process environment as C sees it (getenv), which `unsetenv` changes too.
enum ProcessEnvironment {
    static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
