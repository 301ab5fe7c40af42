import Foundation
import Testing
@testable import StorefrontCore

/// The README's key tables and screenshots and the man page are generated:
/// from the keymaps, the flags table and the golden frames. These tests fail
/// when a generated part and its source disagree; `UPDATE_DOCS=1` rewrites them.
@Suite("docs generated from the code")
struct DocsTests {
    static let readme = repositoryRoot.appendingPathComponent("README.md")
    static let manPage = repositoryRoot.appendingPathComponent("docs/storefront.1")
    static var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1" }

    /// The text part of a golden frame, as a fenced block.
    static func screenshot(_ name: String) throws -> String {
        let file = repositoryRoot.appendingPathComponent("Tests/StorefrontCoreTests/__Snapshots__/\(name).txt")
        let golden = try String(contentsOf: file, encoding: .utf8)
        let text = golden.components(separatedBy: "\n--- roles ---\n")[0]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        return "```text\n" + lines.joined(separator: "\n") + "\n```"
    }

    /// Replaces (or checks) what stands between a marker and its end marker.
    static func generated(_ document: String, begin: String, end: String, content: (String) throws -> String) throws -> String {
        var result = ""
        var rest = Substring(document)
        while let start = rest.range(of: begin) {
            let lineEnd = rest[start.upperBound...].firstIndex(of: "\n")!
            let marker = String(rest[start.lowerBound..<lineEnd])
            guard let stop = rest[lineEnd...].range(of: end) else { throw DocsError("\(marker) has no \(end)") }
            result += rest[..<lineEnd] + "\n" + (try content(marker)) + "\n"
            rest = rest[stop.lowerBound...]
            result += rest[..<stop.upperBound.clamped(in: rest)]
            rest = rest[stop.upperBound...]
        }
        return result + rest
    }

    struct DocsError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func expectedReadme() throws -> String {
        let readme = try String(contentsOf: readme, encoding: .utf8)
        let keys = try generated(readme, begin: "<!-- generated: keys", end: "<!-- end generated: keys -->") { _ in KeyReference.markdown() }
        return try generated(keys, begin: "<!-- generated: screenshot ", end: "<!-- end generated: screenshot -->") { marker in
            try screenshot(marker.replacingOccurrences(of: "<!-- generated: screenshot ", with: "").replacingOccurrences(of: " -->", with: ""))
        }
    }

    @Test func theReadmesKeysAndScreenshotsComeFromTheCode() throws {
        let current = try String(contentsOf: Self.readme, encoding: .utf8)
        let expected = try Self.expectedReadme()
        if Self.updating { try expected.write(to: Self.readme, atomically: true, encoding: .utf8); return }
        #expect(current == expected, "README.md's generated parts are out of step: run UPDATE_DOCS=1 swift test --filter DocsTests")
        #expect(current.contains("**Browse** ("), "the keys section is in the README")
        #expect(current.contains("| `A` | admin: products low in stock"))
    }

    @Test func theManPageComesFromTheCode() throws {
        let expected = ManPage.render()
        let ascii = expected.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii, "groff reads the page without a preprocessor: arrows go as \\[u2191]")
        if Self.updating {
            try FileManager.default.createDirectory(at: Self.manPage.deletingLastPathComponent(), withIntermediateDirectories: true)
            try expected.write(to: Self.manPage, atomically: true, encoding: .utf8)
            return
        }
        let current = try String(contentsOf: Self.manPage, encoding: .utf8)
        #expect(current == expected, "docs/storefront.1 is out of step: run UPDATE_DOCS=1 swift test --filter DocsTests")
    }

    @Test func everyScreensKeysAreInTheReference() {
        let sections = KeyReference.sections()
        let all = sections.flatMap(\.keys).map(\.keys)
        for key in ["A", "V", "L", "n", "+", "X", "O", "D", "s", "f", "Ctrl-Z", "Ctrl-L", "F1", "?", "q", "PgDn", "G", "wheel"] {
            #expect(all.contains(key), "\(key) is missing from the key reference")
        }
        #expect(ManPage.render().contains(".SS Low stock (admins)"))
        #expect(ManPage.render().contains(".SS Orders to ship (vendors"))
        #expect(ManPage.render().contains(".SS All orders (admins"))
        #expect(LaunchOptions.usage.contains("--no-remember") && ManPage.render().contains("\\-\\-no\\-remember"))
    }
}

private extension String.Index {
    func clamped(in text: Substring) -> String.Index { Swift.min(self, text.endIndex) }
}
