import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

@Suite struct ThemeParserTests {
    @Test(arguments: ThemeName.allCases.map(\.rawValue))
    func everyShippedThemeParsesAndStylesEveryRole(name: String) throws {
        let theme = try shippedTheme(name)
        #expect(theme.name == name)
        for role in ThemeRole.allCases {
            #expect(theme.styles[role] != nil, "\(name).theme has no line for role \(role.rawValue)")
        }
    }

    @Test func theShippedThemesAreTheOnesTheUserServiceAccepts() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("themes").path)
        let shipped = Set(files.filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(".theme".count)) })
        #expect(shipped == Set(ThemeName.allCases.map(\.rawValue)))
    }

    @Test func aLineGivesEachDepthAndAttributes() throws {
        let theme = try ThemeParser.parse("""
        name t
        glyphs ascii
        role text 256=252/default 16=white/- 8=7/0
        role error 256=203/16 16=bright-red/black attrs=bold mono=bold,underline   # comment
        """, file: "t.theme")
        #expect(theme.glyphs == .ascii)
        let error = theme.style(for: .error)
        #expect(error.color256 == ColorPair(foreground: 203, background: 16))
        #expect(error.color16 == ColorPair(foreground: 9, background: 0))
        #expect(error.color8 == nil)
        #expect(error.attributes == [.bold])
        #expect(error.monoAttributes == [.bold, .underline])
        #expect(theme.style(for: .text).color8 == ColorPair(foreground: 7, background: 0))
        #expect(theme.style(for: .price) == theme.style(for: .text))  // unlisted roles look like text
    }

    @Test(arguments: [
        ("name x\nrole text\nrole titel 256=1/2", 3, "unknown role 'titel'"),
        ("name x\nrole text 256=300/1", 2, "colour 300 is outside the 256-colour range 0-255"),
        ("name x\nrole text 8=bright-red/default", 2, "'bright-red' needs 16 colours"),
        ("name x\nrole text 16=red", 2, "colours are FG/BG"),
        ("name x\nrole text attrs=blink", 2, "unknown attribute 'blink'"),
        ("name x\nrole text 256=1/2 shade=3", 2, "unknown key 'shade'"),
        ("name x\n\ncolour text red", 3, "unknown directive 'colour'"),
        ("name x\nglyphs fancy\nrole text", 2, "unknown glyph set 'fancy'"),
        ("name x\nrole text\nrole text", 3, "role 'text' given twice"),
        ("name x\nrole title 256=1/2", 0, "missing 'role text' line"),
        ("role text", 0, "missing 'name' line"),
        ("name x\nrole text 256=pink/0", 2, "unknown colour 'pink'"),
    ])
    func malformedFilesNameTheFileAndLine(source: String, line: Int, message: String) {
        do {
            _ = try ThemeParser.parse(source, file: "themes/broken.theme")
            Issue.record("expected an error for: \(source)")
        } catch {
            #expect(error.file == "themes/broken.theme")
            #expect(error.line == line)
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.description.hasPrefix(line > 0 ? "themes/broken.theme:\(line): " : "themes/broken.theme: "))
        }
    }

    @Test func loadingAFileReportsItsPathAndAMissingThemeListsTheShippedOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "name bad\nrole text 256=1/2\nrole price 16=green\n".write(to: folder.appendingPathComponent("bad.theme"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary(folders: [folder.path])
        #expect(throws: ThemeError(file: folder.path + "/bad.theme", line: 3, message: "colours are FG/BG, like 230/24 or white/default; found 'green'")) {
            try library.load("bad")
        }
        do {
            _ = try library.load("sepia")
            Issue.record("sepia should not load")
        } catch {
            #expect(error.description.contains("sepia.theme: no such theme"))
            #expect(error.description.contains("shipped themes: dark, light, high-contrast, mono"))
        }
    }

    @Test(arguments: ThemeName.allCases.map(\.rawValue))
    func everyShippedThemeIsBuiltInAsItsFileSays(name: String) throws {
        // No folder at all (a binary copied alone): the built-in copy, the same theme as the file.
        let builtIn = try ThemeLibrary(folders: []).load(name)
        #expect(builtIn == (try shippedTheme(name)))
        #expect(EmbeddedThemes.sources[name] == (try String(contentsOf: repositoryRoot.appendingPathComponent("themes/\(name).theme"), encoding: .utf8)))
    }

    @Test func aUsersOwnThemeOfAShippedNameWinsOverTheBuiltInOne() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("sf-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let own = home.appendingPathComponent(".config/storefront/themes"), data = home.appendingPathComponent(".local/share/storefront/themes")
        for folder in [own, data] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try "name dark\nglyphs ascii\nrole text 256=1/2\n".write(to: own.appendingPathComponent("dark.theme"), atomically: true, encoding: .utf8)
        try "name sepia\nrole text 256=94/230\n".write(to: data.appendingPathComponent("sepia.theme"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary.standard(executablePath: "/nonexistent/bin/storefront", environment: ["HOME": home.path])
        #expect(try library.load("dark").glyphs == .ascii, "the user's dark.theme, not the built-in one")
        // $XDG_DATA_HOME (default ~/.local/share)/storefront/themes is searched too.
        #expect(try library.load("sepia").name == "sepia")
        #expect(try library.load("light") == (try shippedTheme("light")))
    }

    @Test func theDataFoldersFollowXDGDataHomeAndDataDirs() {
        let library = ThemeLibrary.standard(executablePath: "/opt/x/bin/storefront",
                                            environment: ["HOME": "/home/ann", "XDG_DATA_HOME": "/data/ann", "XDG_DATA_DIRS": "/srv/share:relative:/usr/share"])
        #expect(library.folders.suffix(3) == ["/data/ann/storefront/themes", "/srv/share/storefront/themes", "/usr/share/storefront/themes"])
        let defaults = ThemeLibrary.standard(executablePath: "/opt/x/bin/storefront", environment: ["HOME": "/home/ann"])
        #expect(defaults.folders.suffix(3) == ["/home/ann/.local/share/storefront/themes", "/usr/local/share/storefront/themes", "/usr/share/storefront/themes"])
    }

    @Test func aThemeNamedByTheServerIsLookedUpByNameNeverOpenedAsAPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let theme = "name mine\nrole text 256=1/2\n"
        try theme.write(to: folder.appendingPathComponent("mine.theme"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary(folders: [folder.path])
        #expect(try library.loadNamed("mine").name == "mine")
        // The same file by path: fine from the command line, refused from the server.
        #expect(try library.load(folder.path + "/mine.theme").name == "mine")
        for name in [folder.path + "/mine.theme", "../" + folder.lastPathComponent + "/mine", "mine\u{0}", "", String(repeating: "a", count: 65)] {
            #expect(throws: ThemeError.self, "\(name)") { try library.loadNamed(name) }
        }
    }

    @Test func resolvingFallsBackFromRichToPoorColourAndToMonoAttributes() throws {
        let dark = try shippedTheme("dark")
        #expect(dark.resolve(.error, depth: .full).colors == ColorPair(foreground: 203, background: nil))
        #expect(dark.resolve(.error, depth: .sixteen).colors == ColorPair(foreground: 9, background: nil))
        #expect(dark.resolve(.error, depth: .eight).colors == ColorPair(foreground: 1, background: nil))
        let none = dark.resolve(.error, depth: .none)
        #expect(none.colors == nil)
        #expect(none.attributes == [.bold, .underline])
        let mono = try shippedTheme("mono")
        #expect(mono.resolve(.selection, depth: .full) == ResolvedStyle(colors: nil, attributes: [.reverse, .bold]))
    }

    @Test func noColorTurnsColourOff() {
        #expect(ColorDepth(colors: 256, hasColors: true, environment: ["NO_COLOR": "1"]) == .none)
        #expect(ColorDepth(colors: 256, hasColors: true, environment: ["NO_COLOR": ""]) == .full)
        #expect(ColorDepth(colors: 16, hasColors: true, environment: [:]) == .sixteen)
        #expect(ColorDepth(colors: 8, hasColors: true, environment: [:]) == .eight)
        #expect(ColorDepth(colors: 256, hasColors: false, environment: [:]) == .none)
    }
}
