import Foundation
import Hummingbird
import Logging
@testable import Composition
import MarketplaceAPI
import ServiceKit
import ServiceLifecycle
import Testing

/// `server/openapi.yaml` describes exactly the routes the server serves.
@Suite("OpenAPI description") struct OpenAPITests {
    static var document: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml")
    }

    struct Operation {
        /// The keys it declares at its own level.
        var keys: Set<String> = []
        /// The lines of its `security:` list, trimmed (`- {}`, `- userToken: [admin]`), or `[]` for none.
        var security: [String] = []
    }

    /// For every operation under `paths:` (`METHOD /path/{param}`), the keys it
    /// declares at its own level (paths at two spaces of indentation, methods at
    /// four and their keys at six, as the file is written) and its security list.
    static func documented() throws -> [String: Operation] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var operations: [String: Operation] = [:]
        var inPaths = false
        var inSecurity = false
        var path: String?
        var operation: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
                operation = nil
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                operation = ["get", "post", "put", "delete", "patch", "options", "head"].contains(key) ? key.uppercased() + " " + path : nil
                if let operation { operations[operation] = Operation() }
                inSecurity = false
            } else if line.hasPrefix("      "), !line.hasPrefix("       "), let operation {
                let key = line.dropFirst(6).split(separator: ":").first.map(String.init) ?? ""
                operations[operation]?.keys.insert(key)
                inSecurity = key == "security"
                if inSecurity, line.hasSuffix("[]") { operations[operation]?.security = ["[]"] }
            } else if inSecurity, line.hasPrefix("        - "), let operation {
                operations[operation]?.security.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        return operations
    }

    /// The error codes `ErrorEnvelope.code` lists in the file.
    static func documentedCodes() throws -> [String] {
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let start = text.range(of: "    ErrorCode:\n") else { return [] }
        let rest = text[start.upperBound...]
        guard let list = rest.range(of: "enum: [") , let end = rest[list.upperBound...].firstIndex(of: "]") else { return [] }
        return rest[list.upperBound..<end].split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// `- userToken: [vendor, admin]` as `- userToken: [admin, vendor]`: the order of roles means nothing.
    static func sortingRoles(_ line: String) -> String {
        guard line.hasPrefix("- userToken: ["), line.hasSuffix("]") else { return line }
        let roles = line.dropFirst("- userToken: [".count).dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return "- userToken: [" + roles.sorted().joined(separator: ", ") + "]"
    }

    /// What the file should say about who may call a route.
    static func security(_ access: Access) -> [String] {
        switch access {
        case .anyone: ["[]"]
        case .user: ["- userToken: []"]
        case .roles(let roles): ["- userToken: [\(roles.map(\.rawValue).sorted().joined(separator: ", "))]"]
        case .service(let services): ["- serviceCredential: [\(services.sorted().map(\.rawValue).joined(separator: ", "))]"]
        case .userOrService(let services): ["- userToken: []", "- serviceCredential: [\(services.sorted().map(\.rawValue).joined(separator: ", "))]"]
        case .localOrService: ["- {}", "- serviceCredential: []"]
        }
    }

    /// What the all-in-one router serves, with `:name` written as `{name}`.
    static func served() async throws -> Set<String> {
        let configuration = try TestStores.configuration()
        let stores = try Stores(configuration: configuration, logger: TestStores.logger)
        var background: [any Service] = []
        let tokens = try await TestStores.tokens()
        let router = buildRouter(stores: stores, tokens: tokens, configuration: configuration, logger: TestStores.logger, background: &background)
        return Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{" + segment.dropFirst() + "}" : String(segment)
            }.joined(separator: "/")
            return route.method.rawValue + " /" + path
        })
    }

    /// The router, the endpoint table and the file name the same routes, both ways.
    @Test func theRouterTheEndpointTableAndTheFileAgree() async throws {
        let documented = Set(try Self.documented().keys)
        let declared = Set(Endpoints.all.map(\.openAPIKey))
        let served = try await Self.served()
        #expect(declared.count == Endpoints.all.count, "a route is declared twice")
        #expect(served.count > 30)
        #expect(served.subtracting(declared).sorted() == [], "served but not in the endpoint table")
        #expect(declared.subtracting(served).sorted() == [], "in the endpoint table but not served")
        #expect(declared.subtracting(documented).sorted() == [], "in the endpoint table but not in server/openapi.yaml")
        #expect(documented.subtracting(declared).sorted() == [], "in server/openapi.yaml but not in the endpoint table")
    }

    @Test func everyOperationSaysWhoMayCallItAsTheTableDoesAndWhatItAnswers() throws {
        let operations = try Self.documented()
        #expect(operations.count > 30)
        for (key, operation) in operations.sorted(by: { $0.key < $1.key }) {
            #expect(operation.keys.contains("security"), "\(key) does not say who may call it")
            #expect(operation.keys.contains("responses"), "\(key) does not say what it answers")
            #expect(operation.keys.contains("operationId"), "\(key) has no operationId")
        }
        for route in Endpoints.all {
            guard let operation = operations[route.openAPIKey] else { continue }
            let expected = Self.security(route.access)
            // Registering may also carry an admin's token (to create an admin): a public route still.
            let documented = operation.security == ["- {}", "- userToken: [admin]"] ? ["[]"] : operation.security.map(Self.sortingRoles)
            #expect(documented == expected, "\(route): the file says \(operation.security), the table \(route.access)")
        }
    }

    @Test func theFileListsExactlyTheErrorCodes() throws {
        #expect(try Self.documentedCodes() == ErrorCode.allCases.map(\.rawValue))
    }
}
