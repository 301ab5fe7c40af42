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

/// The checks made before a form is sent, worded as the server words them.
public enum Validation {
    public static func email(_ text: String) -> String? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value.isEmpty { return "Email is required" }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !value.contains(" "),
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return "Email must be a valid address like name@example.com" }
        return nil
    }

    public static func password(_ text: String) -> String? {
        if text.isEmpty { return "Password is required" }
        return text.count < 6 ? "Password must be at least 6 characters" : nil
    }

    public static func name(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespaces).isEmpty ? "Name is required" : nil
    }
}

/// Draws a button "[ Sign in ]"; returns the column after it.
@discardableResult
func drawButton(_ frame: inout Frame, _ label: String, x: Int, y: Int, focused: Bool) -> Int {
    frame.write("[ \(label) ]", x: x, y: y, role: focused ? .buttonFocused : .button)
}

/// Where a form sits in the content area, the same for every form screen.
struct FormLayout {
    let left: Int
    let fieldX: Int
    let fieldWidth: Int
    let top: Int

    init(_ area: Rect) {
        let width = min(area.width - 4, 66)
        left = area.x + (area.width - width) / 2
        fieldX = left + 12
        fieldWidth = width - 12
        top = area.y + (area.height >= 24 ? 3 : 1)
    }

    /// A label, its field and, on the row below, its error if any.
    func drawField(_ frame: inout Frame, label: String, field: TextField, row: Int, focused: Bool, error: String?, glyphs: Glyphs) {
        frame.write(label, x: left, y: top + row, role: focused ? .heading : .label)
        field.draw(&frame, x: fieldX, y: top + row, width: fieldWidth, focused: focused, glyphs: glyphs)
        if let error {
            frame.write(TextWidth.truncate(error, to: fieldWidth, ellipsis: glyphs.ellipsis), x: fieldX, y: top + row + 1, role: .error)
        }
    }
}
