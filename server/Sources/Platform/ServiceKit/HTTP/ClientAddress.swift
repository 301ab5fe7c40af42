import Foundation

/// Who is calling, as far as the server can tell: the peer's address, or, when the
/// peer is a trusted proxy (the gateway, a TLS terminator, a kiosk host), the
/// address it forwards. A port comes with it when the proxy names one (a kiosk
/// names each SSH session's), so sessions sharing a host are told apart.
public struct ClientAddress: Sendable, Hashable {
    public var ip: String
    public var port: Int?

    public init(ip: String, port: Int? = nil) {
        self.ip = ip
        self.port = port
    }

    /// What per-client limits count by.
    public var key: String { port.map { "\(ip)#\($0)" } ?? ip }
}

/// The proxies whose forwarding headers are believed, by CIDR.
public struct TrustedProxies: Sendable {
    public let networks: [IPNetwork]

    public init(_ networks: [IPNetwork]) {
        self.networks = networks
    }

    public func trusts(_ ip: String) -> Bool {
        guard let address = IPNetwork.bytes(of: ip) else { return false }
        return networks.contains { $0.contains(address) }
    }

    /// The client behind `peer`. The hops the headers list (`Forwarded`'s `for=`,
    /// else `X-Forwarded-For`), oldest first, end at `peer`; walking back from the
    /// peer, each trusted hop hands over to the one before it, and the first hop
    /// not trusted (or the oldest) is the client. What an untrusted hop claims is
    /// never read, so nobody outside can choose their own address.
    public func client(peer: String?, forwarded: String?, forwardedFor: String?) -> ClientAddress {
        var current = ClientAddress(ip: peer ?? "unknown")
        guard trusts(current.ip) else { return current }
        let hops: [ClientAddress?]
        if let forwarded, !forwarded.isEmpty {
            hops = Self.forwardedHops(forwarded)
        } else if let forwardedFor, !forwardedFor.isEmpty {
            hops = forwardedFor.split(separator: ",").map { Self.hop(String($0).trimmingCharacters(in: .whitespaces)) }
        } else {
            return current
        }
        for hop in hops.reversed() {
            // An unreadable hop ("unknown", a hidden name) ends the walk at the last trusted one.
            guard let hop else { return current }
            current = hop
            if !trusts(hop.ip) { return hop }
        }
        return current
    }

    /// The `for=` of each element of a `Forwarded` header (RFC 7239), oldest first.
    static func forwardedHops(_ header: String) -> [ClientAddress?] {
        header.split(separator: ",").map { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else { continue }
                var value = parts[1].trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return hop(value)
            }
            return nil
        }
    }

    /// `1.2.3.4`, `1.2.3.4:5678`, `[::1]`, `[::1]:5678` or a bare IPv6 address.
    static func hop(_ text: String) -> ClientAddress? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let ip = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard IPNetwork.bytes(of: ip) != nil else { return nil }
            if rest.isEmpty { return ClientAddress(ip: ip) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return ClientAddress(ip: ip, port: port)
        }
        if IPNetwork.bytes(of: text) != nil { return ClientAddress(ip: text) }
        let parts = text.split(separator: ":")
        guard parts.count == 2, IPNetwork.bytes(of: String(parts[0])) != nil, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        return ClientAddress(ip: String(parts[0]), port: port)
    }
}
