import Foundation

/// A multi-line text input: typing, Enter for a new line, Backspace/Delete,
/// arrows (↑/↓ by wrapped row), Home/End of the row. The text wraps at word
/// boundaries to `width` columns; `height` rows show, scrolled to the cursor.
public struct TextArea: Equatable, Sendable {
    public var text: String
    /// Cursor position, in characters.
    public var cursor: Int
    public var maxLength: Int
    /// Columns the text wraps to and rows on show (set by the screen from its layout).
    public var width: Int
    public var height: Int
    /// The first wrapped row on show.
    public var top = 0

    public init(_ text: String = "", maxLength: Int = 10_000, width: Int = 40, height: Int = 4) {
        self.text = text
        self.cursor = text.count
        self.maxLength = maxLength
        self.width = max(1, width)
        self.height = max(1, height)
        top = 0
        scrollToCursor()
    }

    /// The wrapped rows as ranges of character positions (a row's line break is in none).
    public static func rows(_ characters: [Character], width: Int) -> [Range<Int>] {
        let width = max(1, width)
        var rows: [Range<Int>] = []
        var lineStart = 0
        func wrap(_ start: Int, _ end: Int) {
            var rowStart = start
            while true {
                var columns = 0
                var index = rowStart
                while index < end, columns + TextWidth.of(characters[index]) <= width {
                    columns += TextWidth.of(characters[index])
                    index += 1
                }
                if index >= end { rows.append(rowStart..<end); return }
                // Break after the last space in the row, or (a word wider than the row) where it stops.
                if characters[index] == " " {
                    // The space that ends a full row stays on it (past its last column).
                    rows.append(rowStart..<(index + 1))
                    rowStart = index + 1
                } else if let space = characters[rowStart..<index].lastIndex(of: " "), space > rowStart {
                    rows.append(rowStart..<(space + 1))
                    rowStart = space + 1
                } else {
                    rows.append(rowStart..<max(index, rowStart + 1))
                    rowStart = max(index, rowStart + 1)
                }
            }
        }
        for (index, character) in characters.enumerated() where character == "\n" {
            wrap(lineStart, index)
            lineStart = index + 1
        }
        wrap(lineStart, characters.count)
        return rows
    }

    public var rows: [Range<Int>] { Self.rows(Array(text), width: width) }

    /// The wrapped row and column of the cursor.
    func position(in rows: [Range<Int>], _ characters: [Character]) -> (row: Int, column: Int) {
        // At a wrapped row's end the cursor stands at the start of the next row.
        var row = rows.lastIndex { $0.lowerBound <= cursor } ?? 0
        if cursor > rows[row].upperBound { row = min(row + 1, rows.count - 1) }
        let start = rows[row].lowerBound
        return (row, TextWidth.of(String(characters[start..<max(start, min(cursor, rows[row].upperBound))])))
    }

    /// The position in `row` nearest to `column`.
    static func index(in row: Range<Int>, column: Int, _ characters: [Character], lastRow: Bool) -> Int {
        var columns = 0
        var index = row.lowerBound
        // A wrapped row's last position is the next row's first: stop before it unless the row ends a line.
        let end = row.upperBound
        while index < end, columns + TextWidth.of(characters[index]) <= column {
            columns += TextWidth.of(characters[index])
            index += 1
        }
        if index == end, end > row.lowerBound, !lastRow, end < characters.count, characters[end] != "\n" { return end - 1 }
        return index
    }

    /// Returns false for keys a text area does not use (Tab, Esc…).
    public mutating func edit(_ key: Key) -> Bool {
        var characters = Array(text)
        let rows = Self.rows(characters, width: width)
        let (row, column) = position(in: rows, characters)
        switch key {
        case .char(let c):
            guard characters.count < maxLength, TextWidth.of(c) > 0 else { return true }
            characters.insert(c, at: cursor)
            cursor += 1
        case .enter:
            guard characters.count < maxLength else { return true }
            characters.insert("\n", at: cursor)
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
        case .up:
            guard row > 0 else { cursor = 0; break }
            cursor = Self.index(in: rows[row - 1], column: column, characters, lastRow: false)
        case .down:
            guard row + 1 < rows.count else { cursor = characters.count; break }
            cursor = Self.index(in: rows[row + 1], column: column, characters, lastRow: row + 2 == rows.count)
        case .home, .ctrl("a"): cursor = rows[row].lowerBound
        case .end, .ctrl("e"):
            cursor = Self.index(in: rows[row], column: Int.max, characters, lastRow: row + 1 == rows.count)
        case .pageUp:
            cursor = Self.index(in: rows[max(0, row - height)], column: column, characters, lastRow: false)
        case .pageDown:
            let target = min(rows.count - 1, row + height)
            cursor = Self.index(in: rows[target], column: column, characters, lastRow: target + 1 == rows.count)
        default:
            return false
        }
        text = String(characters)
        scrollToCursor()
        return true
    }

    /// Moves `top` the least that shows the cursor's row.
    public mutating func scrollToCursor() {
        top = shownTop
    }

    /// `top`, moved the least that shows the cursor's row (after a resize too).
    var shownTop: Int {
        let characters = Array(text)
        let rows = Self.rows(characters, width: width)
        let row = position(in: rows, characters).row
        return max(0, min(max(top, row - height + 1), row, max(0, rows.count - height)))
    }

    /// Draws `height` rows from `top` in `width` columns; the focused area that is typed into
    /// places the terminal cursor. An area that is not typed into shows its beginning, and
    /// an ellipsis when more follows.
    public func draw(_ frame: inout Frame, x: Int, y: Int, focused: Bool, typing: Bool, glyphs: Glyphs) {
        let role: ThemeRole = focused ? .inputFocused : .input
        frame.fill(Rect(x: x, y: y, width: width, height: height), role: role)
        let characters = Array(text)
        let rows = Self.rows(characters, width: width)
        let first = typing && focused ? shownTop : 0
        for (offset, range) in rows.dropFirst(first).prefix(height).enumerated() {
            let more = offset == height - 1 && !(typing && focused) && first + height < rows.count
            frame.write(String(characters[range]), x: x, y: y + offset, role: role, limit: x + width - (more ? 1 : 0))
            // More follows: an ellipsis after the last row on show.
            if more { frame.write(glyphs.ellipsis, x: x + min(TextWidth.of(String(characters[range])), width - 1), y: y + offset, role: role) }
        }
        if focused && typing {
            let (row, column) = position(in: rows, characters)
            frame.cursor = Point(x: x + min(column, width - 1), y: y + row - first)
        }
    }
}
