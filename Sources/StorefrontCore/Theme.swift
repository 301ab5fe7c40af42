import Foundation

public enum TextAttribute: String, CaseIterable, Sendable, Hashable {
    case bold, dim, underline, reverse
}

/// A foreground/background pair in one colour depth; nil is the terminal's default.
public struct ColorPair: Equatable, Sendable {
    public var foreground: Int?
    public var background: Int?
    public init(foreground: Int?, background: Int?) {
        self.foreground = foreground
        self.background = background
    }
}

/// How one role looks at each colour depth. `monoAttributes` are used when
/// there are no colours (a monochrome terminal or NO_COLOR), so every role
/// stays distinguishable without colour.
public struct RoleStyle: Equatable, Sendable {
    public var color256: ColorPair?
    public var color16: ColorPair?
    public var color8: ColorPair?
    public var attributes: Set<TextAttribute>
    public var monoAttributes: Set<TextAttribute>

    public init(color256: ColorPair? = nil, color16: ColorPair? = nil, color8: ColorPair? = nil,
                attributes: Set<TextAttribute> = [], monoAttributes: Set<TextAttribute>? = nil) {
        self.color256 = color256
        self.color16 = color16
        self.color8 = color8
        self.attributes = attributes
        self.monoAttributes = monoAttributes ?? attributes
    }
}

/// The drawing characters of a theme: box lines and markers in Unicode, or
/// plain ASCII for terminals and fonts that lack them.
public struct Glyphs: Equatable, Sendable {
    public var selection: String
    public var ellipsis: String
    public var horizontal: String
    public var vertical: String
    public var topLeft: String, topRight: String, bottomLeft: String, bottomRight: String
    public var separator: String
    public var dot: String
    public var online: String
    public var offline: String
    public var spinner: [String]

    public static let unicode = Glyphs(
        selection: "▶", ellipsis: "…", horizontal: "─", vertical: "│",
        topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        separator: "›", dot: "·", online: "●", offline: "○",
        spinner: ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"])

    public static let ascii = Glyphs(
        selection: ">", ellipsis: "~", horizontal: "-", vertical: "|",
        topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        separator: ">", dot: "-", online: "*", offline: "o",
        spinner: ["|", "/", "-", "\\"])
}

public struct Theme: Equatable, Sendable {
    public var name: String
    public var glyphs: Glyphs
    public var styles: [ThemeRole: RoleStyle]

    public init(name: String, glyphs: Glyphs, styles: [ThemeRole: RoleStyle]) {
        self.name = name
        self.glyphs = glyphs
        self.styles = styles
    }

    /// A role the file does not mention looks like plain text.
    public func style(for role: ThemeRole) -> RoleStyle {
        styles[role] ?? styles[.text] ?? RoleStyle()
    }
}

/// How many colours the terminal offers (none under NO_COLOR).
public enum ColorDepth: Int, Sendable, Equatable {
    case none = 0, eight = 8, sixteen = 16, full = 256

    /// NO_COLOR set to anything non-empty turns colour off (https://no-color.org).
    public init(colors: Int, hasColors: Bool, environment: [String: String]) {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { self = .none; return }
        guard hasColors else { self = .none; return }
        self = colors >= 256 ? .full : colors >= 16 ? .sixteen : colors >= 8 ? .eight : .none
    }
}

/// A role as the terminal should show it at one colour depth.
public struct ResolvedStyle: Equatable, Sendable {
    public var colors: ColorPair?
    public var attributes: Set<TextAttribute>
}

public extension Theme {
    /// The richest colour form the terminal can show, falling back to smaller
    /// ones; with no usable colour form the role uses its mono attributes.
    func resolve(_ role: ThemeRole, depth: ColorDepth) -> ResolvedStyle {
        let style = style(for: role)
        let candidates: [ColorPair?] = switch depth {
        case .full: [style.color256, style.color16, style.color8]
        case .sixteen: [style.color16, style.color8]
        case .eight: [style.color8]
        case .none: []
        }
        if let pair = candidates.compactMap({ $0 }).first {
            return ResolvedStyle(colors: pair, attributes: style.attributes)
        }
        return ResolvedStyle(colors: nil, attributes: style.monoAttributes)
    }
}
