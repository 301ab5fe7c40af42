import Foundation
@testable import Composition
import MarketplaceAPI
import Testing

/// `server/deploy/k8s` builds with kustomize (`kubectl kustomize`, which this
/// machine image ships) into one Deployment and Service per service with the
/// server's own names, ports, variables and probe paths, made from one base and
/// a patch per service, never from copies.
@Suite("Kubernetes manifests") struct KubernetesManifestTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/k8s")

    typealias Object = [String: Any]

    /// The whole kustomization rendered as kubectl would apply it, as JSON objects.
    static func rendered() async throws -> [Object] {
        let render = """
            set -o pipefail
            command -v kubectl >/dev/null || { echo "kubectl not found: it ships with this machine image (google-cloud-cli's kubectl); install kubectl to render server/deploy/k8s" >&2; exit 127; }
            kubectl kustomize --load-restrictor LoadRestrictionsNone "$1" \
              | python3 -c 'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)' > "$2"
            """
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-render-\(UUID().uuidString)")
        let json = files.appendingPathExtension("json").path, errors = files.appendingPathExtension("err").path
        defer { for path in [json, errors] { try? FileManager.default.removeItem(atPath: path) } }
        let status = try await exitCode(of: try spawnScript(["-c", render, "render", directory.path, json],
                                                             environment: ProcessInfo.processInfo.environment, output: errors))
        guard status == 0, let data = FileManager.default.contents(atPath: json),
              let objects = try JSONSerialization.jsonObject(with: data) as? [Object] else {
            let problem = FileManager.default.contents(atPath: errors).map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw ServerProcessError("rendering server/deploy/k8s failed (\(status)): \(problem)")
        }
        return objects
    }

    static func find(_ objects: [Object], _ kind: String, _ name: String) -> Object? {
        objects.first { $0["kind"] as? String == kind && ($0["metadata"] as? Object)?["name"] as? String == name }
    }

    static func podSpec(_ object: Object) -> Object {
        ((object["spec"] as? Object)?["template"] as? Object)?["spec"] as? Object ?? [:]
    }

    static func containers(_ object: Object) -> [Object] {
        podSpec(object)["containers"] as? [Object] ?? []
    }

    static func env(_ container: Object) -> [String: String] {
        Dictionary((container["env"] as? [Object] ?? []).compactMap { entry in
            (entry["name"] as? String).map { ($0, entry["value"] as? String ?? "") }
        }, uniquingKeysWith: { _, last in last })
    }

    static func probePath(_ container: Object, _ probe: String) -> String? {
        ((container[probe] as? Object)?["httpGet"] as? Object)?["path"] as? String
    }

    @Test func everyServiceRendersWithItsNamePortAndProbes() async throws {
        let objects = try await Self.rendered()
        for service in ServiceName.allCases {
            let name = service.rawValue
            let port = service.defaultPort
            guard let deployment = Self.find(objects, "Deployment", name), let front = Self.find(objects, "Service", name) else {
                Issue.record("no Deployment or Service named \(name)")
                continue
            }
            #expect((deployment["metadata"] as? Object)?["namespace"] as? String == "storefront", "\(name)")
            let containers = Self.containers(deployment)
            #expect(containers.count == 1, "\(name)")
            guard let container = containers.first else { continue }
            #expect(container["args"] as? [String] == ["serve", "--service", name], "\(name)")
            #expect(Self.env(container)["STOREFRONT_PORT"] == String(port), "\(name): STOREFRONT_PORT")
            let ports = container["ports"] as? [Object] ?? []
            #expect(ports.first?["name"] as? String == "http" && ports.first?["containerPort"] as? Int == port, "\(name): \(ports)")
            // The ssh service has its SSH door beside its probes' port; the others one port.
            #expect(ports.count == (service == .ssh ? 2 : 1), "\(name): \(ports)")
            if service == .ssh { #expect(ports.last?["name"] as? String == "ssh" && ports.last?["containerPort"] as? Int == 2222, "\(ports)") }
            #expect(Self.probePath(container, "readinessProbe") == Endpoints.ready.template, "\(name)")
            #expect(Self.probePath(container, "livenessProbe") == Endpoints.health.template, "\(name)")
            #expect(Self.probePath(container, "startupProbe") == Endpoints.health.template, "\(name)")
            let sources = (container["envFrom"] as? [Object] ?? []).compactMap { source in
                ((source["configMapRef"] ?? source["secretRef"]) as? Object)?["name"] as? String
            }
            #expect(sources == ["marketplace-config", "marketplace-secrets"], "\(name)")

            // The Service reaches exactly this Deployment's pods, on the port the peers and the gateway use.
            let spec = deployment["spec"] as? Object ?? [:]
            let selector = (spec["selector"] as? Object)?["matchLabels"] as? [String: String] ?? [:]
            let podLabels = ((spec["template"] as? Object)?["metadata"] as? Object)?["labels"] as? [String: String] ?? [:]
            let serviceSpec = front["spec"] as? Object ?? [:]
            #expect(selector["app.kubernetes.io/component"] == name, "\(name): \(selector)")
            #expect(serviceSpec["selector"] as? [String: String] == selector, "\(name)")
            #expect(selector.allSatisfy { podLabels[$0.key] == $0.value }, "\(name)")
            let servicePorts = serviceSpec["ports"] as? [Object] ?? []
            #expect(servicePorts.count == (service == .ssh ? 2 : 1) && servicePorts.first?["port"] as? Int == port
                && servicePorts.first?["targetPort"] as? String == "http", "\(name): \(servicePorts)")
            if service == .ssh {
                #expect(servicePorts.last?["port"] as? Int == 2222 && servicePorts.last?["targetPort"] as? String == "ssh", "\(servicePorts)")
            }
        }
        let marketplaceDeployments = objects.filter {
            $0["kind"] as? String == "Deployment" && Self.containers($0).first?["name"] as? String == "marketplace"
        }
        #expect(marketplaceDeployments.count == ServiceName.allCases.count, "a Deployment left over from the base?")
        #expect(Self.find(objects, "Deployment", "service") == nil && Self.find(objects, "Service", "service") == nil)
    }

    /// The ConfigMap plus the Secret's keys (secret.example.yaml, with real-length
    /// secrets) are a configuration the server accepts, every key is one it reads,
    /// and each peer URL names that peer's Service and port.
    @Test func settingsAreOnesTheServerReadsAndAccepts() async throws {
        let objects = try await Self.rendered()
        let config = (Self.find(objects, "ConfigMap", "marketplace-config")?["data"] as? [String: String]) ?? [:]
        let example = try String(contentsOf: Self.directory.appendingPathComponent("secret.example.yaml"), encoding: .utf8)
        let secretKeys = example.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("  "), trimmed.hasPrefix("STOREFRONT_"), let colon = trimmed.firstIndex(of: ":") else { return nil }
            return String(trimmed[..<colon])
        }
        #expect(Set(secretKeys) == ["STOREFRONT_POSTGRES_URL", "STOREFRONT_JWT_SECRET", "STOREFRONT_SERVICE_SECRET"])

        let read = try OperationsGuideTests.environmentVariablesRead()
        for key in Array(config.keys) + secretKeys {
            #expect(read.contains(key), "\(key) is set in server/deploy/k8s but the server never reads it")
        }
        var environment = config
        environment["STOREFRONT_POSTGRES_URL"] = "postgres://storefront:password@postgres.example:5432"
        environment["STOREFRONT_JWT_SECRET"] = String(repeating: "j", count: 32)
        environment["STOREFRONT_SERVICE_SECRET"] = String(repeating: "s", count: 32)
        let configuration = try AppConfiguration.fromEnvironment(environment)
        #expect(configuration.host == "0.0.0.0")
        for service in ServiceName.allCases where config[service.urlVariable] != nil {
            #expect(configuration.peers.url(for: service) == "http://\(service.rawValue):\(service.defaultPort)", "\(service.urlVariable)")
        }
        // Every service some other service calls is named, so none falls back to loopback.
        for service in [ServiceName.products, .inventory, .orders, .payments] {
            #expect(config[service.urlVariable] != nil, "\(service.urlVariable) missing from configmap.yaml")
        }

        // Behind the gateway the services count the client it forwards, not the gateway.
        #expect(configuration.trustedProxies.contains { $0.contains("10.244.3.7") }, "STOREFRONT_TRUSTED_PROXIES must name the pod network")

        let migrate = Self.find(objects, "Job", "marketplace-migrate")
        #expect(Self.containers(migrate ?? [:]).first?["args"] as? [String] == ["migrate"])
    }

    /// The gateway's upstreams are the services' names and ports, every
    /// variable the template needs is set, and the trusted-proxies file the
    /// template includes is created before nginx starts.
    @Test func gatewayReachesEveryService() async throws {
        let objects = try await Self.rendered()
        guard let gateway = Self.find(objects, "Deployment", "gateway"), let container = Self.containers(gateway).first else {
            Issue.record("no gateway Deployment")
            return
        }
        let env = Self.env(container)
        for service in ServiceName.allCases {
            let upstream = env["\(service.rawValue.uppercased())_UPSTREAM"]
            #expect(upstream == (service.isBehindGateway ? "\(service.rawValue):\(service.defaultPort)" : nil), "\(service)")
        }
        let script = (container["command"] as? [String] ?? []).joined(separator: "\n")
        let substituted = Set(script.matches(of: /\$\{([A-Z_]+)\}/).map { String($0.1) })
        #expect(!substituted.isEmpty)
        for variable in substituted { #expect(env[variable] != nil, "\(variable) is substituted but not set") }
        let template = try String(
            contentsOf: Self.directory.deletingLastPathComponent().appendingPathComponent("nginx/marketplace.conf.template"), encoding: .utf8)
        let needed = Set(template.matches(of: /\$\{([A-Z_]+)\}/).map { String($0.1) })
        #expect(needed.subtracting(substituted).sorted() == [], "the template uses variables the gateway does not substitute")
        // The gateway believes the clients the pod network forwards (the SSH door's shops), as the services do:
        // TRUSTED_PROXY_ADDRESSES is the services' STOREFRONT_TRUSTED_PROXIES, written into the geo file.
        let trusted = (container["env"] as? [Object] ?? []).first { $0["name"] as? String == "TRUSTED_PROXY_ADDRESSES" }
        let reference = ((trusted?["valueFrom"] as? Object)?["configMapKeyRef"] as? Object)
        #expect(reference?["key"] as? String == "STOREFRONT_TRUSTED_PROXIES", "\(String(describing: trusted))")
        let geo = try await gatewayGeoFile(script: script, peers: "10.244.0.0/16,127.0.0.0/8,::1")
        #expect(geo == "10.244.0.0/16 1;\n", "loopback is in the template already: \(geo)")
        #expect(Self.probePath(container, "readinessProbe") == Endpoints.health.template)
        let templateVolume = (Self.podSpec(gateway)["volumes"] as? [Object] ?? []).first { $0["name"] as? String == "template" }
        let configMapName = (templateVolume?["configMap"] as? Object)?["name"] as? String ?? ""
        #expect(configMapName.hasPrefix("gateway-template-") && Self.find(objects, "ConfigMap", configMapName) != nil,
                "the gateway mounts the generated template ConfigMap (\(configMapName))")
    }

    /// One base holds what the services share; each service's directory holds
    /// only its patch, and nothing else in k8s/ repeats a service's manifest.
    @Test func servicesAreOneBaseAndAPatchEach() throws {
        let files = FileManager.default
        let services = try files.contentsOfDirectory(atPath: Self.directory.appendingPathComponent("services").path)
        #expect(Set(services) == Set(ServiceName.allCases.map(\.rawValue)))
        let shared = ["image:", "envFrom:", "readinessProbe:", "livenessProbe:", "startupProbe:", "limits:", "securityContext:", "volumes:"]
        for service in ServiceName.allCases {
            let folder = Self.directory.appendingPathComponent("services/\(service.rawValue)")
            #expect(try files.contentsOfDirectory(atPath: folder.path) == ["kustomization.yaml"], "\(service)")
            let patch = try String(contentsOf: folder.appendingPathComponent("kustomization.yaml"), encoding: .utf8)
            #expect(patch.contains("- ../../service\n"), "\(service) is not made from the base")
            for key in shared {
                // The ssh service adds a volume of its own (its host key), none of the base's.
                if service == .ssh && key == "volumes:" {
                    #expect(!patch.contains("name: tmp"), "services/ssh repeats the base's volume")
                    continue
                }
                #expect(!patch.contains(key), "services/\(service.rawValue) repeats the base's \(key)")
            }
            #expect(patch.split(separator: "\n").count <= 45, "services/\(service.rawValue) has grown past a patch")
        }
        // The readiness probe on /ready (the marketplace services' shape) is written once, in the base.
        let enumerator = files.enumerator(at: Self.directory, includingPropertiesForKeys: nil)
        var withServiceShape: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "yaml" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            if text.contains("readinessProbe:") && text.contains("path: \(Endpoints.ready.template)") {
                withServiceShape.append(url.path.replacingOccurrences(of: Self.directory.path + "/", with: ""))
            }
        }
        #expect(withServiceShape == ["service/deployment.yaml"])
        let top = try String(contentsOf: Self.directory.appendingPathComponent("kustomization.yaml"), encoding: .utf8)
        for service in ServiceName.allCases {
            #expect(top.components(separatedBy: "  - services/\(service.rawValue)\n").count == 2, "kustomization.yaml lists services/\(service.rawValue) once")
        }
    }

    /// Kubernetes waits longer than the server's own drain before it kills a pod.
    @Test func podsOutlastTheServersDrain() async throws {
        let objects = try await Self.rendered()
        let drain = AppConfiguration(postgresURL: "", tokenSecret: "", serviceSecret: "").drain
        for service in ServiceName.allCases {
            let deployment = try #require(Self.find(objects, "Deployment", service.rawValue), "no Deployment \(service.rawValue)")
            let grace = try #require(Self.podSpec(deployment)["terminationGracePeriodSeconds"] as? Int, "\(service.rawValue) has no terminationGracePeriodSeconds")
            #expect(Duration.seconds(grace) > drain + .seconds(5), "\(service.rawValue): \(grace) s is not longer than the drain and its watchdog")
        }
    }
}
