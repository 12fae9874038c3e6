import Foundation

/// Where a webhook URL points, and whether Coffer may send there (API.md "Events and webhooks"):
/// `https://` (or `http://` where plain HTTP is allowed: development and tests), and a host whose
/// every address is public unless private targets are allowed. The check resolves the name and
/// looks at the addresses only; it never opens a connection. Delivery checks again (DNS can
/// change) and connects to the address it checked.
public struct WebhookTarget: Sendable, Equatable {
    public let url: String
    public let host: String
    public let port: Int

    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ url: String, allowPlainHTTP: Bool) throws(Refusal) -> WebhookTarget {
        guard url.utf8.count <= 2000, let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            var host = components.host, !host.isEmpty
        else {
            throw Refusal(description: "is not an absolute http(s) URL")
        }
        guard scheme == "https" || (scheme == "http" && allowPlainHTTP) else {
            throw Refusal(description: allowPlainHTTP ? "must be http:// or https://" : "must be https://")
        }
        guard components.user == nil, components.password == nil else { throw Refusal(description: "must not carry credentials") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw Refusal(description: "has an invalid port") }
        return WebhookTarget(url: url, host: host.lowercased(), port: port)
    }

    /// The address to connect to: the host's first address, after checking that every address
    /// it resolves to is allowed (a name with one private address among public ones is refused).
    public func address(allowPrivate: Bool) throws(Refusal) -> String {
        let addresses = Self.resolve(host)
        guard let first = addresses.first else { throw Refusal(description: "names a host that does not resolve") }
        // The address itself is not named: the answer must not map a private network's names.
        if !allowPrivate, addresses.contains(where: { !Self.isPublic($0) }) {
            throw Refusal(description: "resolves to a private, loopback, link-local or otherwise internal address")
        }
        return first
    }

    /// Every address `host` resolves to, as text (IPv4 dotted, IPv6 without brackets).
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var found: [String] = []
        var entry = list
        while let current = entry?.pointee {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.ai_addr, current.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !found.contains(text) { found.append(text) }
            }
            entry = current.ai_next
        }
        return found
    }

    /// Not loopback, private, link-local, shared (CGNAT), multicast, reserved or unspecified.
    static func isPublic(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return isPublicV4(UInt32(bigEndian: v4.s_addr)) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            // IPv4-mapped: judged as the IPv4 address it carries.
            return isPublicV4(bytes[12...].reduce(0) { $0 << 8 | UInt32($1) })
        }
        // ::, ::1 and IPv4-compatible ::a.b.c.d; NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4
        // (2002::/16) and Teredo (2001::/32) carry or reach IPv4 addresses: refused outright.
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return false }
        if bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B { return false }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return false }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x00 && bytes[3] == 0x00 { return false }
        if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return false }  // fec0::/10 site-local
        if bytes[0] == 0xFF { return false }  // multicast
        return true
    }

    static func isPublicV4(_ address: UInt32) -> Bool {
        let blocked: [(UInt32, UInt32)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
            (0xC000_0000, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xE000_0000, 4), (0xF000_0000, 4),
        ]
        return !blocked.contains { network, bits in address >> (32 - bits) == network >> (32 - bits) }
    }
}
