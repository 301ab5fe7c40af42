import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import ServiceKit

/// HTTPS served by the process itself, for hosts without a proxy in front:
/// `STOREFRONT_TLS_CERT` (a PEM chain, the server's certificate first) and
/// `STOREFRONT_TLS_KEY` (its PEM private key), both or neither. TLS 1.2 and up.
public struct ServerTLS: Sendable {
    public let certificatePath: String
    public let keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// nil when neither variable is set; an error naming the problem when one is
    /// missing or a file does not load.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerTLS? {
        let certificate = env["STOREFRONT_TLS_CERT"].flatMap { $0.isEmpty ? nil : $0 }
        let key = env["STOREFRONT_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?):
            let tls = ServerTLS(certificatePath: certificate, keyPath: key)
            _ = try tls.configuration()
            return tls
        default:
            throw ConfigurationError("STOREFRONT_TLS_CERT and STOREFRONT_TLS_KEY go together: set both to serve HTTPS, or neither")
        }
    }

    func configuration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ConfigurationError("STOREFRONT_TLS_CERT: no PEM certificate could be read from \(certificatePath) (\(error))")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ConfigurationError("STOREFRONT_TLS_KEY: no PEM private key could be read from \(keyPath) (\(error))")
        }
        guard !chain.isEmpty else { throw ConfigurationError("STOREFRONT_TLS_CERT: \(certificatePath) holds no certificate") }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// HTTP/1.1 over TLS, or plain HTTP/1.1 without settings; either way with the
    /// connection limits (header and idle timeouts, a cap per address).
    static func serverBuilder(_ tls: ServerTLS?, limits: ConnectionLimits, proxies: TrustedProxies,
                              counts: ConnectionCounts = ConnectionCounts()) throws -> HTTPServerBuilder {
        let configuration = try tls?.configuration()
        return HTTPServerBuilder { responder in
            let http = GuardedHTTP1Channel(responder: responder, limits: limits, proxies: proxies, counts: counts)
            guard let configuration else { return http }
            return try TLSChannel(http, tlsConfiguration: configuration)
        }
    }
}
