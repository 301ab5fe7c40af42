@testable import Composition
import Foundation
import MarketplaceAPI
import Testing

/// `docs/OPERATIONS.md` names exactly the settings the server reads, the flags
/// the `marketplace` command takes, and every metric it emits.
@Suite("Operations guide") struct OperationsGuideTests {
    static let serverDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let guide = serverDirectory.deletingLastPathComponent().appendingPathComponent("docs/OPERATIONS.md")

    static func sources(under folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var texts: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            if let text = try? String(contentsOf: url, encoding: .utf8) { texts.append(text) }
        }
        return texts
    }

    /// Every environment variable the server reads: each `STOREFRONT_…` name
    /// written anywhere in server/Sources, each name read by subscript or
    /// `getenv`, and the peer URLs the code builds from the service names.
    static func environmentVariablesRead() throws -> Set<String> {
        var names = Set(ServiceName.allCases.map(\.urlVariable))
        for text in sources(under: serverDirectory.appendingPathComponent("Sources")) {
            names.formUnion(text.matches(of: /STOREFRONT_[A-Z][A-Z0-9_]*[A-Z0-9]/).map { String($0.0) })
            names.formUnion(text.matches(of: /(?:environment|env)\["([A-Z][A-Z0-9_]*)"\]/).map { String($0.1) })
            names.formUnion(text.matches(of: /getenv\("([A-Z][A-Z0-9_]*)"\)/).map { String($0.1) })
        }
        return names
    }

    /// Every `marketplace` subcommand and flag, as the built command's own help lists them.
    static func commandFlags() async throws -> Set<String> {
        var pairs: Set<String> = []
        func visit(_ command: [String]) async throws {
            let (status, help) = try await ServerProcess.run(command + ["--help"], environment: [:])
            guard status == 0 else { throw ServerProcessError("marketplace \(command.joined(separator: " ")) --help: \(help)") }
            var section = ""
            for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
                if !line.hasPrefix(" ") && line.hasSuffix(":") { section = String(line); continue }
                if section == "OPTIONS:", let flag = line.firstMatch(of: /^  (?:-[a-zA-Z], )?(--[a-z0-9-]+)/)?.1,
                   flag != "--help", flag != "--version" {
                    pairs.insert((command + [String(flag)]).joined(separator: " "))
                }
                if section == "SUBCOMMANDS:", let sub = line.firstMatch(of: /^  ([a-z][a-z-]*)(?: \(default\))?(?:  | *$)/)?.1 {
                    try await visit(command + [String(sub)])
                }
            }
        }
        try await visit([])
        return pairs
    }

    /// What the guide's "Configuration" section documents: every variable named
    /// in backticks in a table row's first cell, and every flag row's flag with
    /// each command in its second cell (`serve`, `admin create`).
    static func documented() throws -> (variables: Set<String>, flags: Set<String>) {
        let text = try String(contentsOf: guide, encoding: .utf8)
        guard let start = text.range(of: "\n## Configuration\n") else { throw ServerProcessError("docs/OPERATIONS.md has no ## Configuration") }
        let rest = text[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        var variables: Set<String> = []
        var flags: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 2 else { continue }
            let names = cells[1].matches(of: /`([^`]+)`/).map { String($0.1) }
            for name in names where name.wholeMatch(of: /[A-Z][A-Z0-9_]*/) != nil { variables.insert(name) }
            for flag in names where flag.hasPrefix("--") {
                for command in cells[2].matches(of: /`([a-z][a-z ]*)`/) { flags.insert("\(command.1) \(flag)") }
            }
        }
        return (variables, flags)
    }

    @Test func configurationTableNamesEveryVariableTheServerReads() throws {
        let read = try Self.environmentVariablesRead()
        let documented = try Self.documented().variables
        #expect(read.subtracting(documented).sorted() == [], "read in server/Sources but missing from docs/OPERATIONS.md")
        #expect(documented.subtracting(read).sorted() == [], "in docs/OPERATIONS.md but never read in server/Sources")
    }

    @Test func configurationTableNamesEveryFlag() async throws {
        let flags = try await Self.commandFlags()
        #expect(flags.contains("serve --port") && flags.contains("admin create --email"), "\(flags.sorted())")
        let documented = try Self.documented().flags
        #expect(flags.subtracting(documented).sorted() == [], "flags of marketplace missing from docs/OPERATIONS.md")
        #expect(documented.subtracting(flags).sorted() == [], "flags in docs/OPERATIONS.md that marketplace does not take")
    }

    /// Every metric label in server/Sources (`Counter(label: …)` and the like)
    /// and Hummingbird's request metrics, under the names /metrics shows (dots
    /// become underscores), appear in the guide.
    @Test func guideListsEveryMetric() throws {
        var labels: Set<String> = []
        var usesRequestMetrics = false
        for text in Self.sources(under: Self.serverDirectory.appendingPathComponent("Sources")) {
            labels.formUnion(text.matches(of: /(?:Counter|FloatingPointCounter|Gauge|Meter|Recorder|Timer)\(\s*label:\s*"([^"]+)"/).map { String($0.1) })
            usesRequestMetrics = usesRequestMetrics || text.contains("MetricsMiddleware()")
        }
        #expect(labels.contains("storefront_checkouts_total"))
        if usesRequestMetrics {
            labels.formUnion(["hb.requests", "hb.request.errors", "http.server.active_requests", "http.server.request.duration"])
            let middleware = Self.serverDirectory.appendingPathComponent(".build/checkouts/hummingbird/Sources/Hummingbird/Middleware/MetricsMiddleware.swift")
            if let text = try? String(contentsOf: middleware, encoding: .utf8) {
                labels.formUnion(text.matches(of: /label:\s*"([^"]+)"/).map { String($0.1) })
            }
        }
        let guide = try String(contentsOf: Self.guide, encoding: .utf8)
        let missing = labels.map { $0.replacingOccurrences(of: ".", with: "_") }.filter { !guide.contains("`\($0)") }
        #expect(missing.sorted() == [], "metrics missing from docs/OPERATIONS.md")
    }
}
