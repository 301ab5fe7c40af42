import Foundation
import Hummingbird
import Logging
@testable import Composition
import ServiceKit
import ServiceLifecycle
import Testing

/// `server/openapi.yaml` describes exactly the routes the server serves.
@Suite("OpenAPI description") struct OpenAPITests {
    static var document: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml")
    }

    /// For every operation under `paths:` (`METHOD /path/{param}`), the keys it
    /// declares at its own level (paths at two spaces of indentation, methods at
    /// four and their keys at six, as the file is written).
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var operations: [String: Set<String>] = [:]
        var inPaths = false
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
                if let operation { operations[operation] = [] }
            } else if line.hasPrefix("      "), !line.hasPrefix("       "), let operation {
                let key = line.dropFirst(6).split(separator: ":").first.map(String.init) ?? ""
                operations[operation]?.insert(key)
            }
        }
        return operations
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

    @Test func everyServedRouteIsDocumentedAndNothingElse() async throws {
        let documented = Set(try Self.documented().keys)
        let served = try await Self.served()
        #expect(served.count > 30)
        #expect(served.subtracting(documented).sorted() == [], "served but not in server/openapi.yaml")
        #expect(documented.subtracting(served).sorted() == [], "in server/openapi.yaml but not served")
    }

    @Test func everyOperationSaysWhoMayCallItAndWhatItAnswers() throws {
        let operations = try Self.documented()
        #expect(operations.count > 30)
        for (operation, keys) in operations.sorted(by: { $0.key < $1.key }) {
            #expect(keys.contains("security"), "\(operation) does not say who may call it")
            #expect(keys.contains("responses"), "\(operation) does not say what it answers")
            #expect(keys.contains("operationId"), "\(operation) has no operationId")
        }
    }
}
