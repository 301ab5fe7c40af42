@testable import Composition
import Foundation
import MarketplaceAPI
import ServiceKit
import Testing

/// `server/deploy/compose.yaml` as Docker Compose reads it (YAML anchors and
/// merge keys resolved by PyYAML): behind the gateway every service trusts the
/// gateway's fixed address, and Docker waits out the server's drain.
@Suite("Compose file") struct ComposeFileTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/compose.yaml")

    typealias Object = [String: Any]

    static func services() async throws -> [String: Object] {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("compose-render-\(UUID().uuidString)")
        let json = files.appendingPathExtension("json").path, errors = files.appendingPathExtension("err").path
        defer { for path in [json, errors] { try? FileManager.default.removeItem(atPath: path) } }
        let script = #"import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))"#
        let status = try await exitCode(of: try spawnScript(["-c", "python3 -c '\(script)' \"$1\" \"$2\"", "render", file.path, json],
                                                             environment: ProcessInfo.processInfo.environment, output: errors))
        guard status == 0, let data = FileManager.default.contents(atPath: json),
              let document = try JSONSerialization.jsonObject(with: data) as? Object, let services = document["services"] as? [String: Object] else {
            let problem = FileManager.default.contents(atPath: errors).map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw ServerProcessError("reading server/deploy/compose.yaml failed (\(status)): \(problem)")
        }
        return services
    }

    /// `${NAME:-default}` as Compose fills it in when NAME is unset.
    static func defaults(_ text: String) -> String {
        var result = text
        while let start = result.range(of: "${"), let end = result[start.upperBound...].firstIndex(of: "}") {
            let inner = result[start.upperBound..<end]
            let value = inner.range(of: ":-").map { String(inner[$0.upperBound...]) } ?? ""
            result.replaceSubrange(start.lowerBound...end, with: value)
        }
        return result
    }

    @Test func theGatewayBelievesTheShoppersTheSSHDoorForwards() async throws {
        let services = try await Self.services()
        let ssh = try #require(services["ssh"]), gateway = try #require(services["gateway"])
        let address = Self.defaults(try #require(((ssh["networks"] as? Object)?["default"] as? Object)?["ipv4_address"] as? String))
        #expect(address == "172.28.0.11")
        let environment = try #require(gateway["environment"] as? [String: Any])
        #expect(Self.defaults(try #require(environment["TRUSTED_PROXY_ADDRESSES"] as? String)) == address)
        // The gateway's start writes it into the geo file its template includes.
        let script = (gateway["command"] as? [String] ?? []).joined(separator: "\n").replacingOccurrences(of: "$$", with: "$")
        #expect(try await gatewayGeoFile(script: script, peers: address) == "172.28.0.11 1;\n")
    }

    @Test func everyServiceTrustsTheGatewayAndOutlastsItsDrain() async throws {
        let services = try await Self.services()
        let gateway = try #require(services["gateway"])
        let networks = try #require(gateway["networks"] as? Object)
        let address = Self.defaults(try #require((networks["default"] as? Object)?["ipv4_address"] as? String))
        #expect(address == "172.28.0.10")
        let drain = AppConfiguration(postgresURL: "", tokenSecret: "", serviceSecret: "").drain
        for name in ServiceName.allCases.map(\.rawValue) {
            let service = try #require(services[name], "no \(name) in compose.yaml")
            let environment = try #require(service["environment"] as? [String: Any])
            let proxies = Self.defaults(try #require(environment["STOREFRONT_TRUSTED_PROXIES"] as? String, "\(name) sets no trusted proxies"))
            // What the server makes of it: the gateway's address is trusted, a stranger's is not.
            let networks = try IPNetwork.list(proxies).get()
            #expect(TrustedProxies(networks).trusts(address), "\(name): \(proxies)")
            #expect(!TrustedProxies(networks).trusts("172.28.0.99"), "\(name) trusts more than the gateway: \(proxies)")
            let grace = try #require(service["stop_grace_period"] as? String, "\(name) has no stop_grace_period")
            let seconds = try #require(Int(grace.dropLast()), "\(name): \(grace)")
            #expect(grace.hasSuffix("s") && Duration.seconds(seconds) > drain + .seconds(5), "\(name): \(grace) is not longer than the drain and its watchdog")
        }
    }
}

/// The trusted-proxies geo file a gateway's start script writes for these peers: its
/// `for peer …` lines run by /bin/sh with `TRUSTED_PROXY_ADDRESSES` and a scratch `RUN_DIR`.
func gatewayGeoFile(script: String, peers: String) async throws -> String {
    let lines = script.split(separator: "\n").map(String.init)
    guard let start = lines.firstIndex(where: { $0.contains("for peer in") }),
          let end = lines[start...].firstIndex(where: { $0.contains("trusted-proxies.geo") }) else {
        throw ServerProcessError("the gateway's start writes no trusted-proxies.geo from TRUSTED_PROXY_ADDRESSES:\n\(script)")
    }
    let run = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-geo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: run.appendingPathComponent("marketplace.d"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: run) }
    var environment = ProcessInfo.processInfo.environment
    environment["TRUSTED_PROXY_ADDRESSES"] = peers
    environment["RUN_DIR"] = run.path
    let output = run.appendingPathComponent("out").path
    let status = try await exitCode(of: try spawnScript(["-c", lines[start...end].joined(separator: "\n")], environment: environment, output: output))
    guard status == 0 else { throw ServerProcessError("the geo lines failed (\(status)): \(String(describing: FileManager.default.contents(atPath: output)))") }
    return FileManager.default.contents(atPath: run.appendingPathComponent("marketplace.d/trusted-proxies.geo").path)
        .map { String(decoding: $0, as: UTF8.self) } ?? ""
}

