import Foundation

/// A one-line text input: typing, Backspace/Delete, ←/→, Home/End, Ctrl-U to clear.
public struct TextField: Equatable, Sendable {
    public var text: String
    /// Cursor position, in characters.
    public var cursor: Int
    public var isSecret: Bool
    public var maxLength: Int

    public init(_ text: String = "", secret: Bool = false, maxLength: Int = 200) {
        self.text = text
        self.cursor = text.count
        self.isSecret = secret
        self.maxLength = maxLength
    }

    public var trimmed: String { text.trimmingCharacters(in: .whitespaces) }
    public var isEmpty: Bool { text.isEmpty }

    /// Returns false for keys a text field does not use (Tab, Enter, ↑/↓, Esc…).
    public mutating func edit(_ key: Key) -> Bool {
        var characters = Array(text)
        switch key {
        case .char(let c):
            guard characters.count < maxLength, TextWidth.of(c) > 0 else { return true }
            characters.insert(c, at: cursor)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete:
            guard cursor < characters.count else { return true }
            characters.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = characters.count
        case .ctrl("u"):
            characters.removeFirst(cursor)
            cursor = 0
        default:
            return false
        }
        text = String(characters)
        return true
    }

    /// Draws the field in `width` columns, scrolled so the cursor shows; the
    /// focused field also places the terminal cursor.
    public func draw(_ frame: inout Frame, x: Int, y: Int, width: Int, focused: Bool, glyphs: Glyphs) {
        let role: ThemeRole = focused ? .inputFocused : .input
        frame.fill(Rect(x: x, y: y, width: width, height: 1), role: role)
        let mask: Character = glyphs == .ascii ? "*" : "•"
        let shown: [Character] = isSecret ? Array(repeating: mask, count: text.count) : Array(text)
        // Only the focused field scrolls to its cursor; others show their beginning.
        var start = 0
        while focused, start < cursor, TextWidth.of(String(shown[start..<cursor])) > width - 1 { start += 1 }
        frame.write(String(shown[start...]), x: x, y: y, role: role, limit: x + width)
        if focused {
            frame.cursor = Point(x: x + TextWidth.of(String(shown[start..<min(cursor, shown.count)])), y: y)
        }
    }
}
