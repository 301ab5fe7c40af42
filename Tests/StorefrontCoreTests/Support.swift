import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// The repository's root, found from this file so tests run from any folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedTheme(_ name: String) throws -> Theme {
    try ThemeLibrary(folders: [repositoryRoot.appendingPathComponent("themes").path]).load(name)
}

/// Runs messages through `update`, collecting every command.
func run(_ model: Model, _ messages: [Msg]) -> (Model, [Command]) {
    var model = model
    var all: [Command] = []
    for message in messages {
        let (next, commands) = update(model, message)
        model = next
        all += commands
    }
    return (model, all)
}

func keys(_ text: String) -> [Msg] { text.map { .key(.char($0)) } }

func key(_ key: Key) -> Msg { .key(key) }

let standardSize = Size(width: 80, height: 24)

func freshModel(kiosk: Bool = false, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    Model.start(options: AppOptions(serverURL: "http://127.0.0.1:9", kiosk: kiosk, kioskIdleSeconds: 30), size: size, glyphs: glyphs).0
}

let ann = UserSummary(id: "7d1d7c4e-0000-4000-8000-000000000001", name: "Ann Lee", email: "ann@example.com", role: .customer)

extension Command {
    var sentRequest: (RequestID, APIRequest)? {
        if case .send(let id, let request, _) = self { return (id, request) }
        return nil
    }
}

/// Compares a frame with `__Snapshots__/<name>.txt` (its text, then its role
/// mask). A missing golden fails; `UPDATE_GOLDENS=1 swift test` rewrites them.
func assertGolden(_ frame: Frame, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = folder.appendingPathComponent(name + ".txt")
    let actual = frame.text() + "\n--- roles ---\n" + frame.roleMask() + "\n"
    if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("missing golden file \(file.path); run UPDATE_GOLDENS=1 swift test to record it", sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        let actualFile = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(name + ".actual.txt")
        try? actual.write(to: actualFile, atomically: true, encoding: .utf8)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
        let detail = first.map { "line \($0.offset + 1):\n  expected: \($0.element.0)\n  actual:   \($0.element.1)" } ?? "line counts differ"
        Issue.record("frame differs from \(file.lastPathComponent) (\(detail)); actual written to \(actualFile.path)", sourceLocation: sourceLocation)
    }
}
