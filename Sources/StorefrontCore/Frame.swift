/// What a cell means, not what colour it is: the theme maps roles to colours.
public enum ThemeRole: String, CaseIterable, Sendable, Hashable {
    case text, muted, bar, barAccent, title, heading, label
    case selection, price, badge, stockLow, stockOut
    case success, warning, error
    case input, inputFocused, button, buttonFocused
    case key, keyHelp, border, spinner

    /// One letter per role for the role masks of golden files.
    public var maskLetter: Character {
        switch self {
        case .text: "."
        case .muted: "m"
        case .bar: "B"
        case .barAccent: "A"
        case .title: "T"
        case .heading: "H"
        case .label: "l"
        case .selection: "S"
        case .price: "$"
        case .badge: "b"
        case .stockLow: "o"
        case .stockOut: "x"
        case .success: "+"
        case .warning: "w"
        case .error: "!"
        case .input: "i"
        case .inputFocused: "I"
        case .button: "u"
        case .buttonFocused: "U"
        case .key: "K"
        case .keyHelp: "k"
        case .border: "#"
        case .spinner: "*"
        }
    }
}

public struct Size: Equatable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)×\(height)" }
}

public struct Point: Equatable, Sendable {
    public var x: Int, y: Int
    public init(x: Int, y: Int) { self.x = x; self.y = y }
}

public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
    public func inset(dx: Int, dy: Int) -> Rect { Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy) }
}

/// One terminal cell. A wide character sits in its first cell; the cell after
/// it is a continuation that painters skip.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var role: ThemeRole
    public var isContinuation: Bool

    public init(_ character: Character = " ", role: ThemeRole = .text, isContinuation: Bool = false) {
        self.character = character
        self.role = role
        self.isContinuation = isContinuation
    }
}

/// A screenful of cells tagged with theme roles: what `view` produces and the
/// terminal layer paints.
public struct Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should blink (the focused text field), if anywhere.
    public var cursor: Point?

    public init(size: Size, role: ThemeRole = .text) {
        width = max(0, size.width)
        height = max(0, size.height)
        cells = Array(repeating: Cell(role: role), count: width * height)
    }

    public var size: Size { Size(width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    public mutating func fill(_ rect: Rect, role: ThemeRole, character: Character = " ") {
        for y in max(0, rect.y)..<min(height, rect.maxY) where rect.x < width {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                set(x, y, Cell(character, role: role))
            }
        }
    }

    /// Sets the role of cells without changing their characters.
    public mutating func paint(_ rect: Rect, role: ThemeRole) {
        for y in max(0, rect.y)..<min(height, rect.maxY) where rect.x < width {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                cells[y * width + x].role = role
            }
        }
    }

    /// Writes `text` from column `x` on row `y`, never past `limit` (the frame's
    /// right edge by default). Returns the column after the last one written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: ThemeRole, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit ?? width)
        var column = x
        for character in text {
            let w = TextWidth.of(character)
            if w == 0 { continue }
            if column + w > end { break }
            if column >= 0 {
                set(column, y, Cell(character, role: role))
                if w == 2 { set(column + 1, y, Cell(" ", role: role, isContinuation: true)) }
            }
            column += w
        }
        return column
    }

    /// Keeps wide characters whole: overwriting half of one blanks the other half.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let index = y * width + x
        if cells[index].isContinuation && !cell.isContinuation && x > 0 {
            cells[index - 1] = Cell(" ", role: cells[index - 1].role)
        }
        if !cells[index].isContinuation && x + 1 < width && cells[index + 1].isContinuation && !cell.isContinuation {
            cells[index + 1] = Cell(" ", role: cells[index + 1].role)
        }
        cells[index] = cell
    }

    /// The characters row by row, trailing spaces trimmed: the text of golden files.
    public func text() -> String {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where !self[x, y].isContinuation { line.append(self[x, y].character) }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// One letter per cell naming its role (see `ThemeRole.maskLetter`).
    public func roleMask() -> String {
        (0..<height).map { y in
            String((0..<width).map { self[$0, y].role.maskLetter })
        }.joined(separator: "\n")
    }

    /// One row's characters, for tests and mouse hit checks.
    public func line(_ y: Int) -> String {
        var line = ""
        for x in 0..<width where !self[x, y].isContinuation { line.append(self[x, y].character) }
        return line
    }
}
