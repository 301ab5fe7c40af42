import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// An IPv4 or IPv6 network written as CIDR (`10.0.0.0/8`, `::1/128`, or a single
/// address). IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) are read as IPv4.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let bytes = IPNetwork.bytes(of: first) else { return nil }
        let bits = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        self.bytes = bytes
        self.prefix = prefix
    }

    public var description: String {
        (bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : "ipv6") + "/\(prefix)"
    }

    public func contains(_ address: String) -> Bool {
        IPNetwork.bytes(of: address).map(contains) ?? false
    }

    /// For an address already read into bytes (`bytes(of:)`), so a list of networks parses it once.
    func contains(_ other: [UInt8]) -> Bool {
        guard other.count == bytes.count else { return false }
        var remaining = prefix
        for (mine, theirs) in zip(bytes, other) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// The address's bytes (4 or 16), or nil when it is not an IP address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    public static let loopback: [IPNetwork] = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!]

    /// A comma-separated CIDR list; nil (with the offending entry) when one is not.
    public static func list(_ text: String) -> Result<[IPNetwork], ConfigurationListError> {
        var networks: [IPNetwork] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let network = IPNetwork(entry) else { return .failure(ConfigurationListError(entry: entry)) }
            networks.append(network)
        }
        return .success(networks)
    }
}

public struct ConfigurationListError: Error, Sendable {
    public let entry: String
}

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

/// Works out who is calling (`context.client`) before anything counts or logs by
/// it, and hands on the networks besides loopback that may read `/metrics`
/// (judged on that client, not on a proxy in front of it, when `/metrics` asks).
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let proxies: TrustedProxies
    let scrapers: [IPNetwork]

    public init(proxies: TrustedProxies, scrapers: [IPNetwork]) {
        self.proxies = proxies
        self.scrapers = scrapers
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let client = proxies.client(peer: context.remoteIP, forwarded: request.headers[.forwarded], forwardedFor: request.headers[.xForwardedFor])
        context.client = client
        context.metricsScrapers = scrapers
        if client.ip != context.remoteIP {
            context.logger[metadataKey: "client"] = .string(client.key)
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    public static let forwarded = Self("Forwarded")!
    public static let xForwardedFor = Self("X-Forwarded-For")!
}
