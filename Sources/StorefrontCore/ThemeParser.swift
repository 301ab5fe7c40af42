import Foundation
import MarketplaceAPI

/// A theme file that cannot be used, with the file and line to fix.
public struct ThemeError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// Reads the theme format of `themes/*.theme`:
///
///     # comment
///     name dark
///     glyphs unicode                 (or ascii)
///     role <role> [256=FG/BG] [16=FG/BG] [8=FG/BG] [attrs=bold,underline] [mono=reverse]
///
/// FG and BG are colour numbers (0-255, 0-15 or 0-7 for the depth), the eight
/// colour names (`red`, … for 8 and 16; `bright-red`, … for 16), or `default`.
/// The `text` role is required; other roles fall back to it.
public enum ThemeParser {
    public static func parse(_ source: String, file: String) throws(ThemeError) -> Theme {
        var name: String?
        var glyphs: Glyphs?
        var styles: [ThemeRole: RoleStyle] = [:]

        for (index, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ message: String) -> ThemeError { ThemeError(file: file, line: number, message: message) }
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let directive = words.first else { continue }
            switch directive {
            case "name":
                guard words.count == 2 else { throw fail("'name' takes one word, like: name dark") }
                guard name == nil else { throw fail("'name' given twice") }
                name = words[1]
            case "glyphs":
                guard words.count == 2 else { throw fail("'glyphs' takes one word: unicode or ascii") }
                switch words[1] {
                case "unicode": glyphs = .unicode
                case "ascii": glyphs = .ascii
                default: throw fail("unknown glyph set '\(words[1])' (use unicode or ascii)")
                }
            case "role":
                guard words.count >= 2 else { throw fail("'role' needs a role name, like: role title 256=230/24") }
                guard let role = ThemeRole(rawValue: words[1]) else {
                    throw fail("unknown role '\(words[1])' (roles: \(ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard styles[role] == nil else { throw fail("role '\(role.rawValue)' given twice") }
                styles[role] = try parseStyle(words.dropFirst(2), fail: fail)
            default:
                throw fail("unknown directive '\(directive)' (expected name, glyphs or role)")
            }
        }
        guard let name else { throw ThemeError(file: file, line: 0, message: "missing 'name' line") }
        guard styles[.text] != nil else { throw ThemeError(file: file, line: 0, message: "missing 'role text' line (every other role falls back to it)") }
        return Theme(name: name, glyphs: glyphs ?? .unicode, styles: styles)
    }

    private static func parseStyle(_ words: ArraySlice<String>, fail: (String) -> ThemeError) throws(ThemeError) -> RoleStyle {
        var style = RoleStyle()
        var mono: Set<TextAttribute>?
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw fail("expected key=value, found '\(word)'") }
            let (key, value) = (parts[0], parts[1])
            switch key {
            case "256": style.color256 = try parsePair(value, depth: 256, fail: fail)
            case "16": style.color16 = try parsePair(value, depth: 16, fail: fail)
            case "8": style.color8 = try parsePair(value, depth: 8, fail: fail)
            case "attrs": style.attributes = try parseAttributes(value, fail: fail)
            case "mono": mono = try parseAttributes(value, fail: fail)
            default: throw fail("unknown key '\(key)' (expected 256, 16, 8, attrs or mono)")
            }
        }
        style.monoAttributes = mono ?? style.attributes
        return style
    }

    private static func parsePair(_ value: String, depth: Int, fail: (String) -> ThemeError) throws(ThemeError) -> ColorPair {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw fail("colours are FG/BG, like 230/24 or white/default; found '\(value)'") }
        return ColorPair(foreground: try parseColor(parts[0], depth: depth, fail: fail),
                         background: try parseColor(parts[1], depth: depth, fail: fail))
    }

    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    private static func parseColor(_ word: String, depth: Int, fail: (String) -> ThemeError) throws(ThemeError) -> Int? {
        if word == "default" || word == "-" { return nil }
        if let number = Int(word) {
            guard (0..<depth).contains(number) else { throw fail("colour \(number) is outside the \(depth)-colour range 0-\(depth - 1)") }
            return number
        }
        if let index = colorNames.firstIndex(of: word) { return index }
        if word.hasPrefix("bright-"), let index = colorNames.firstIndex(of: String(word.dropFirst(7))) {
            guard depth >= 16 else { throw fail("'\(word)' needs 16 colours; the 8-colour form has only the eight plain names") }
            return index + 8
        }
        throw fail("unknown colour '\(word)' (a number, default, or one of \(colorNames.joined(separator: ", ")), bright-…)")
    }

    private static func parseAttributes(_ value: String, fail: (String) -> ThemeError) throws(ThemeError) -> Set<TextAttribute> {
        if value == "none" { return [] }
        var result: Set<TextAttribute> = []
        for word in value.split(separator: ",") {
            guard let attribute = TextAttribute(rawValue: String(word)) else {
                throw fail("unknown attribute '\(word)' (bold, dim, underline, reverse or none)")
            }
            result.insert(attribute)
        }
        return result
    }
}

/// Finds theme files by name: `--theme dark` reads `dark.theme` from the first
/// folder that has it; a name with a slash is a path.
public struct ThemeLibrary: Sendable {
    public var folders: [String]

    public init(folders: [String]) { self.folders = folders }

    /// `STOREFRONT_THEME_DIR`, the user's own ($XDG_CONFIG_HOME/storefront/themes),
    /// then `themes/` beside or above the executable (a checkout's
    /// `.build/debug/storefront` finds the checkout's `themes/`), then
    /// `storefront/themes` in $XDG_DATA_HOME (default ~/.local/share) and in each
    /// of $XDG_DATA_DIRS (default /usr/local/share:/usr/share). The shipped themes
    /// are also built in (`EmbeddedThemes`), found when no folder has them.
    public static func standard(executablePath: String, environment: [String: String]) -> ThemeLibrary {
        var folders: [String] = []
        if let dir = environment["STOREFRONT_THEME_DIR"], !dir.isEmpty { folders.append(dir) }
        // The user's own themes: $XDG_CONFIG_HOME/storefront/themes/<name>.theme.
        if let config = ConfigFile.folder(environment: environment) { folders.append(config + "/themes") }
        var url = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            folders.append(url.appendingPathComponent("themes").path)
            folders.append(url.appendingPathComponent("share/storefront/themes").path)
            url.deleteLastPathComponent()
        }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? environment["HOME"].flatMap { $0.isEmpty ? nil : $0 + "/.local/share" }
        if let dataHome { folders.append(dataHome + "/storefront/themes") }
        let dataDirs = environment["XDG_DATA_DIRS"].map { $0.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") } } ?? []
        for dir in dataDirs.isEmpty ? ["/usr/local/share", "/usr/share"] : dataDirs {
            folders.append(dir + "/storefront/themes")
        }
        return ThemeLibrary(folders: folders)
    }

    public func path(for name: String) -> String? {
        if name.contains("/") { return FileManager.default.fileExists(atPath: name) ? name : nil }
        for folder in folders {
            let candidate = folder + "/" + name + ".theme"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A theme named by the server (the profile's preference): looked up by name
    /// among the shipped and installed themes only, never opened as a path.
    public func loadNamed(_ name: String) throws(ThemeError) -> Theme {
        guard Self.isPlainName(name) else {
            throw ThemeError(file: "(from the server)", line: 0, message: "'\(name.prefix(64))' is not a theme name")
        }
        return try load(name)
    }

    /// Letters, digits, `-` and `_`, at most 64: a file name in a themes folder, nothing more.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
        }
    }

    /// A theme by name, or by path when `name` contains `/` (the `--theme` option).
    /// A file of that name in the folders wins; a shipped theme is also built in.
    public func load(_ name: String) throws(ThemeError) -> Theme {
        guard let path = path(for: name) else {
            if !name.contains("/"), let source = EmbeddedThemes.sources[name] {
                return try ThemeParser.parse(source, file: "\(name).theme (built in)")
            }
            let shown = folders.filter { FileManager.default.fileExists(atPath: $0) }
            let looked = shown.isEmpty ? "no themes folder found" : "looked in \(shown.joined(separator: ", "))"
            throw ThemeError(file: name.contains("/") ? name : "\(name).theme", line: 0,
                             message: "no such theme (\(looked); shipped themes: \(ThemeName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let data = FileManager.default.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, line: 0, message: "cannot read the file as UTF-8 text")
        }
        return try ThemeParser.parse(source, file: path)
    }
}
