import Foundation
import Hummingbird
import Logging
@testable import MarketplaceApp
import ServiceKit
import ServiceLifecycle
import Testing

/// `server/openapi.yaml` describes exactly the routes the server serves.
@Suite("OpenAPI description") struct OpenAPITests {
    static var document: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml")
    }

    /// `METHOD /path/{param}` for every operation under `paths:` (paths at two
    /// spaces of indentation, methods at four, as the file is written).
    static func documented() throws -> Set<String> {
        let text = try String(contentsOf: document, encoding: .utf8)
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                if ["get", "post", "put", "delete", "patch", "options", "head"].contains(key) {
                    operations.insert(key.uppercased() + " " + path)
                }
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
        let documented = try Self.documented()
        let served = try await Self.served()
        #expect(served.count > 30)
        #expect(served.subtracting(documented).sorted() == [], "served but not in server/openapi.yaml")
        #expect(documented.subtracting(served).sorted() == [], "in server/openapi.yaml but not served")
    }

    @Test func everyOperationAnswersErrorsInTheEnvelopeAndSaysWhoMayCall() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        #expect(text.contains("openapi: 3.1"))
        #expect(text.contains("ErrorEnvelope:"))
        #expect(text.contains("serviceCredential:"))
        #expect(text.contains("userToken:"))
    }
}
