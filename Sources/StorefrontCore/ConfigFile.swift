import Foundation

/// `$XDG_CONFIG_HOME/storefront/config.toml`: the settings a user keeps
/// between starts. Only four flat keys exist, so this reads the TOML they
/// need (comments, `key = "text"`, `key = true|false`) and refuses anything
/// else by line, rather than pulling a TOML library into the client and,
/// through the shared package, into the server's build.
public struct ConfigFile: Equatable, Sendable {
    public var server: String?
    public var theme: String?
    public var mouse: Bool?
    public var cacert: String?

    public init(server: String? = nil, theme: String? = nil, mouse: Bool? = nil, cacert: String? = nil) {
        self.server = server
        self.theme = theme
        self.mouse = mouse
        self.cacert = cacert
    }

    public static let keys = ["server", "cacert", "theme", "mouse"]

    /// Where the file is: `$XDG_CONFIG_HOME/storefront`, or `~/.config/storefront`.
    public static func folder(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/storefront" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/storefront" }
        return nil
    }

    public static func parse(_ text: String, path: String = "config.toml") throws(UsageError) -> ConfigFile {
        var config = ConfigFile()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func problem(_ what: String) -> UsageError { UsageError("\(path) line \(index + 1): \(what)") }
            guard let equals = line.firstIndex(of: "=") else {
                throw problem(line.hasPrefix("[") ? "tables are not used; write the keys at the top level" : "expected key = value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "server", "theme", "cacert":
                guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\""),
                      !value.dropFirst().dropLast().contains("\"") && !value.contains("\\") else {
                    throw problem("\(key) must be a plain string in double quotes, like \(key) = \"\(key == "server" ? AppOptions.defaultServer : "dark")\"")
                }
                let text = String(value.dropFirst().dropLast())
                switch key {
                case "server": config.server = text
                case "cacert": config.cacert = text
                default: config.theme = text
                }
            case "mouse":
                guard value == "true" || value == "false" else { throw problem("mouse must be true or false") }
                config.mouse = value == "true"
            default:
                throw problem("unknown key '\(key)' (known: \(keys.joined(separator: ", ")))")
            }
        }
        return config
    }

    /// Drops a `#` comment that is not inside a string.
    private static func stripComment(_ line: String) -> String {
        var inString = false
        for (offset, character) in line.enumerated() {
            if character == "\"" { inString.toggle() }
            if character == "#" && !inString { return String(line.prefix(offset)) }
        }
        return line
    }
}
