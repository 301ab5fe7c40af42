import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import Testing
@testable import StorefrontHTTP
import StorefrontTestSupport

/// The client over HTTPS against a real TLS server (`openssl s_server`) with a
/// throw-away authority (`server/dev/test-certs`): verification is always on, a
/// private authority is trusted only when given, and a wrong or expired
/// certificate is refused with a message that says why.
@Suite("HTTPS client", .serialized)
struct TLSClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `openssl s_server -www` with `name`'s certificate on a free loopback port, until `body` returns.
    static func withTLSServer(_ certs: String, _ name: String, _ body: (Int) throws -> Void) throws {
        let port = try Loopback.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certs + "/\(name).pem", "-key", certs + "/\(name).key", "-www", "-quiet"]
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let deadline = Date().addingTimeInterval(10)
        while !Loopback.accepts(port: port), Date() < deadline { usleep(20_000) }
        try #require(Loopback.accepts(port: port), "openssl s_server did not listen on \(port)")
        try body(port)
    }

    static func certificates() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-client-certs-\(UUID().uuidString.prefix(8))").path
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [root.appendingPathComponent("server/dev/test-certs").path, folder]
        script.standardInput = FileHandle.nullDevice
        script.standardOutput = FileHandle.nullDevice
        try script.run()
        script.waitUntilExit()
        try #require(script.terminationStatus == 0, "server/dev/test-certs failed")
        return folder
    }

    @Test func aPrivateAuthorityIsTrustedOnlyWhenGivenAndWrongOrExpiredCertificatesAreRefused() throws {
        let certs = try Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let trusting = CurlTransport(caFile: certs + "/ca.pem")
        let system = CurlTransport()
        func get(_ transport: CurlTransport, _ port: Int) -> Result<Int, TransportError> {
            do { return .success(try transport.send(method: "GET", url: "https://localhost:\(port)/", body: nil, headers: []).status) } catch {
                return .failure(error)
            }
        }
        func refusal(_ result: Result<Int, TransportError>) -> String? {
            if case .failure(.untrusted(let reason)) = result { return reason }
            return nil
        }
        try Self.withTLSServer(certs, "good") { port in
            #expect((try? get(trusting, port).get()) == 200)
            #expect(refusal(get(system, port)) != nil, "the system's authorities do not know the test one")
            // What the shopper reads.
            let reply = MarketplaceClient(baseURL: "https://localhost:\(port)").perform(.call(Endpoints.health), token: nil)
            #expect(reply.error?.message.contains("certificate is not trusted") == true && reply.error?.message.contains("--cacert") == true,
                    "\(String(describing: reply.error))")
        }
        try Self.withTLSServer(certs, "wronghost") { port in
            let reason = refusal(get(trusting, port))
            #expect(reason?.contains("localhost") == true, "\(String(describing: reason))")
        }
        try Self.withTLSServer(certs, "expired") { port in
            let reason = refusal(get(trusting, port))
            #expect(reason?.contains("expired") == true, "\(String(describing: reason))")
        }
    }

    @Test func theAuthorityFileComesFromTheFlagTheEnvironmentOrTheConfigFile() throws {
        let certs = try Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let ca = certs + "/ca.pem"
        #expect(try LaunchOptions.parse(["--cacert", ca, "--server", "https://shop.example"], environment: [:]) ==
                .run(AppOptions(serverURL: "https://shop.example", remember: true, caFile: ca)))
        #expect(try LaunchOptions.parse([], environment: ["STOREFRONT_CACERT": ca]) == .run(AppOptions(remember: true, caFile: ca)))
        let config = try ConfigFile.parse("cacert = \"\(ca)\"\n")
        #expect(try LaunchOptions.parse([], environment: [:], config: config) == .run(AppOptions(remember: true, caFile: ca)))
        #expect(throws: UsageError.self) { try LaunchOptions.parse(["--cacert", certs + "/missing.pem"], environment: [:]) }
    }
}
