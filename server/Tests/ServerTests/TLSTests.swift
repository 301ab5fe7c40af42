import AsyncHTTPClient
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceKit
@testable import Composition
import Testing

/// TLS for real, on loopback, with a throw-away certificate authority
/// (`server/dev/test-certs`): the server's own HTTPS, the gateway's, and
/// PostgreSQL's. A good certificate is accepted; one for another host, or
/// expired, is refused by a client that verifies.
@Suite("TLS", .serialized) struct TLSTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("dev/test-certs").path

    /// A folder of fresh test certificates.
    static func certificates() async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-certs-\(UUID().uuidString.prefix(8))").path
        let status = try await runScript([script, folder])
        guard status == 0 else { throw ServerProcessError("server/dev/test-certs failed (\(status))") }
        return folder
    }

    /// Whether something listens on the loopback port (an HTTPS server answers plain HTTP with nothing usable).
    static func accepts(port: Int) -> Bool {
        guard let fd = Loopback.connection(to: port) else { return false }
        close(fd)
        return true
    }

    /// A client that verifies certificates against `authority` (the system's when nil).
    static func client(trusting authority: String?) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let authority { tls.trustRoots = .file(authority) }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
    }

    /// Runs `body` with a client trusting `authority` and one trusting the system's authorities, shut down after.
    static func withClients(trusting authority: String, _ body: (HTTPClient, HTTPClient) async throws -> Void) async throws {
        let verifying = client(trusting: authority)
        let system = client(trusting: nil)
        do {
            try await body(verifying, system)
        } catch {
            try? await verifying.shutdown()
            try? await system.shutdown()
            throw error
        }
        try await verifying.shutdown()
        try await system.shutdown()
    }

    /// The status of `GET url`, or the error that stopped it.
    static func status(_ client: HTTPClient, _ url: String) async -> Result<Int, any Error> {
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            return .success(Int(response.status.code))
        } catch {
            return .failure(error)
        }
    }

    @Test func theServerServesHTTPSAndClientsRefuseAWrongOrExpiredCertificate() async throws {
        _ = try await TestStores.prepare()
        let certs = try await Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: certs) }
        try await Self.withClients(trusting: certs + "/ca.pem") { verifying, system in
        for (name, accepted) in [("good", true), ("wronghost", false), ("expired", false)] {
            let server = try await ServerProcess.start(
                environment: try ServerProcess.environment(["STOREFRONT_TLS_CERT": certs + "/\(name).pem", "STOREFRONT_TLS_KEY": certs + "/\(name).key"]),
                isReady: { server in Self.accepts(port: server.port) })
            let answer = await Self.status(verifying, "https://localhost:\(server.port)/api/products?limit=1")
            if accepted {
                #expect((try? answer.get()) == 200, "\(answer)")
                #expect((try? await Self.status(verifying, "https://127.0.0.1:\(server.port)/health").get()) == 200, "the address is in the certificate too")
                // Plain HTTP on the HTTPS port gets nothing usable, and the system's authorities do not know this one.
                #expect((try? await server.request("GET", "/health").status) != 200)
                #expect((try? await Self.status(system, "https://localhost:\(server.port)/health").get()) == nil)
            } else {
                #expect((try? answer.get()) == nil, "\(name) must be refused: \(answer)")
            }
            #expect(try await server.stop() == 0)
        }
        }
        // Half a setting, or a file that is no certificate, stops the start with a clear message.
        let half = try await ServerProcess.run(["serve"], environment: try ServerProcess.environment(["STOREFRONT_TLS_CERT": certs + "/good.pem"]))
        #expect(half.status != 0 && half.output.contains("STOREFRONT_TLS_CERT and STOREFRONT_TLS_KEY go together"), "\(half.output.suffix(400))")
        let wrong = try await ServerProcess.run(["serve"], environment: try ServerProcess.environment(["STOREFRONT_TLS_CERT": certs + "/good.key", "STOREFRONT_TLS_KEY": certs + "/good.key"]))
        #expect(wrong.status != 0 && wrong.output.contains("STOREFRONT_TLS_CERT"), "\(wrong.output.suffix(400))")
    }

    @Test func theGatewayServesHTTPSInFrontOfTheServices() async throws {
        _ = try await TestStores.prepare()
        let certs = try await Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        let tlsPort = try Loopback.freePort()
        let gateway = try await SplitDeployment.gateway(upstreamPort: server.port, [
            "STOREFRONT_SPLIT_TLS_CERT": certs + "/good.pem", "STOREFRONT_SPLIT_TLS_KEY": certs + "/good.key",
            "STOREFRONT_SPLIT_TLS_PORT": String(tlsPort),
        ])
        defer { gateway.stop() }
        try await Self.withClients(trusting: certs + "/ca.pem") { verifying, system in
            #expect((try? await Self.status(verifying, "https://localhost:\(tlsPort)/api/products?limit=1").get()) == 200)
            #expect((try? await Self.status(verifying, "https://localhost:\(tlsPort)/health").get()) == 200)
            #expect((try? await Self.status(system, "https://localhost:\(tlsPort)/health").get()) == nil, "an authority the system does not know is refused")
        }
        // The HTTPS request went through the gateway to the server behind it.
        #expect(await server.logLine { ($0["path"] as? String) == "/api/products" } != nil)
        #expect(try await server.stop() == 0)
    }

    @Test func postgresConnectionsVerifyTheServersCertificateAsTheirSSLModeAsks() async throws {
        let certs = try await Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let stores = try StoreRestartTests.PrivateStores()
        do {
            try await Self.postgresModes(stores, certs)
        } catch {
            await stores.remove()
            throw error
        }
        await stores.remove()
    }

    static func postgresModes(_ stores: StoreRestartTests.PrivateStores, _ certs: String) async throws {
        try await stores.run("up")
        let urls = try await stores.exports()
        let plain = try #require(urls["STOREFRONT_POSTGRES_URL"])
        let cluster = stores.folder.appendingPathComponent("pg").path
        try #require(FileManager.default.fileExists(atPath: cluster + "/postgresql.conf"), "the private cluster is not at \(cluster)")
        let conf = try String(contentsOfFile: cluster + "/postgresql.conf", encoding: .utf8)
        try (conf + "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n").write(toFile: cluster + "/postgresql.conf", atomically: true, encoding: .utf8)

        /// Puts `name`'s certificate in the cluster and restarts it.
        func serve(_ name: String) async throws {
            for (from, to, mode) in [("\(name).pem", "server.crt", 0o644), ("\(name).key", "server.key", 0o600)] {
                let target = cluster + "/" + to
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: certs + "/" + from, toPath: target)
                try FileManager.default.setAttributes([.posixPermissions: mode, .ownerAccountName: "postgres"], ofItemAtPath: target)
            }
            try await stores.run("restart", "postgres")
        }
        /// Whether `SELECT 1` goes through with `query` added to the URL, host `host`.
        func connects(_ query: String, host: String = "localhost") async -> Bool {
            let url = plain.replacingOccurrences(of: "@127.0.0.1:", with: "@\(host):") + "/?" + query
            guard let location = try? PostgresLocation(url: url) else { return false }
            let client = location.client(database: "postgres", logger: Logger(label: "tls-test"), shortLived: true)
            return (try? await withDeadline(.seconds(8)) {
                try await PostgresClient.withRunning(client) { client in
                    var one = 0
                    for try await value in try await client.query("SELECT 1", logger: Logger(label: "tls-test")).decode(Int.self) { one = value }
                    return one == 1
                }
            }) ?? false
        }
        let root = "sslrootcert=\(certs)/ca.pem"
        try await serve("good")
        #expect(await connects("sslmode=verify-full&\(root)"))
        #expect(await connects("sslmode=verify-full&\(root)", host: "127.0.0.1"), "the address is in the certificate")
        #expect(await connects("sslmode=require"))
        #expect(await !connects("sslmode=verify-full"), "the system's authorities do not know the test one")
        try await serve("wronghost")
        #expect(await !connects("sslmode=verify-full&\(root)"), "issued for another host")
        #expect(await connects("sslmode=verify-ca&\(root)"), "verify-ca does not check the name")
        try await serve("expired")
        #expect(await !connects("sslmode=verify-ca&\(root)"), "expired")
        #expect(await connects("sslmode=require"), "require encrypts without checking, as libpq's does")
        #expect(throws: ConfigurationError.self) { try PostgresLocation(url: plain + "/?sslmode=sometimes") }
    }
}
