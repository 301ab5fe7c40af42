/// The selection and scroll position of a list of rows. Every list screen keeps
/// one, so the same keys move the same way everywhere and the selected row
/// never leaves the rows on show, however long the list or small the window.
public struct List: Equatable, Sendable {
    public enum Move: Equatable, Sendable {
        case up, down, pageUp, pageDown, top, bottom
    }

    public private(set) var count: Int
    /// How many rows the server has, when it pages them and says so (else `count`).
    public private(set) var total: Int?
    public private(set) var selected = 0
    /// The first row on show when the list last scrolled; `first(rows:)` is what to draw.
    public private(set) var offset = 0

    public init(count: Int = 0) {
        self.count = max(0, count)
    }

    public var isEmpty: Bool { count == 0 }

    /// The selected index, nil while the list is empty.
    public var selection: Int? { count == 0 ? nil : selected }

    /// New contents (a reload, or a page added below): the selection keeps its
    /// place, within the new count. `total`: the rows the server has in all.
    public mutating func reset(count: Int, total: Int? = nil) {
        self.count = max(0, count)
        self.total = total.map { max($0, self.count) }
        selected = min(selected, max(0, self.count - 1))
    }

    /// The selection is on the last row loaded: time to load more, where the server pages.
    public var isAtEnd: Bool { count > 0 && selected == count - 1 }

    /// "12 of 57": the selected row and how many there are (on the server, when it pages).
    public var position: String {
        count == 0 ? "0 of \(total ?? 0)" : "\(selected + 1) of \(total ?? count)"
    }

    /// Draws `position` right-aligned so it ends at `right` (a list's heading row, say).
    public func drawPosition(_ frame: inout Frame, right: Int, y: Int) {
        guard count > 0 else { return }
        let text = position
        frame.write(text, x: right - TextWidth.of(text), y: y, role: .muted)
    }

    /// Moves the selection in a window of `rows` rows, scrolling just enough to keep it on show.
    public mutating func move(_ move: Move, rows: Int) {
        guard count > 0 else { return }
        let page = max(1, rows)
        switch move {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(count - 1, selected + 1)
        case .pageUp:
            selected = max(0, selected - page)
            offset = max(0, offset - page)
        case .pageDown:
            selected = min(count - 1, selected + page)
            offset += page
        case .top: selected = 0
        case .bottom: selected = count - 1
        }
        offset = first(rows: rows)
    }

    /// Selects a row (a click, or the same item found again after a reload).
    public mutating func select(_ index: Int, rows: Int) {
        guard count > 0 else { return }
        selected = min(max(0, index), count - 1)
        offset = first(rows: rows)
    }

    /// The first row to draw in a window of `rows`: where the list last scrolled,
    /// moved just enough that the selection shows and the window stays full.
    public func first(rows: Int) -> Int {
        let rows = max(1, rows)
        var first = min(offset, max(0, count - rows))
        if selected < first { first = selected }
        if selected >= first + rows { first = selected - rows + 1 }
        return max(0, first)
    }

    /// The indices on show in a window of `rows`.
    public func visible(rows: Int) -> Range<Int> {
        let first = first(rows: rows)
        return first..<min(count, first + max(0, rows))
    }

    /// The index drawn at `row` of a window of `rows` (for mouse clicks), if any.
    public func index(atRow row: Int, rows: Int) -> Int? {
        guard row >= 0, row < rows else { return nil }
        let index = first(rows: rows) + row
        return index < count ? index : nil
    }

    /// Draws the rows on show, one a line from the top of `rect`. Unless `plain`,
    /// the selected row is filled and marked, and `row` draws after the marker;
    /// `chosen` is whether the row shows as selected.
    public func draw(_ frame: inout Frame, in rect: Rect, glyphs: Glyphs, plain: Bool = false, showsSelection: Bool = true,
                     row: (_ frame: inout Frame, _ index: Int, _ x: Int, _ y: Int, _ chosen: Bool) -> Void) {
        for (line, index) in visible(rows: rect.height).enumerated() {
            let y = rect.y + line
            let chosen = showsSelection && index == selected
            var x = rect.x
            if !plain {
                if chosen { frame.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), role: .selection) }
                x = frame.write(chosen ? glyphs.selection + " " : "  ", x: x, y: y, role: chosen ? .selection : .text)
            }
            row(&frame, index, x, y, chosen)
        }
    }

    /// The moving keys every list shares, with their help; `noun` names one row
    /// ("product"). They mean the same on every screen: no screen gives them
    /// another meaning. `loadsMore`: the server pages this list, and reaching
    /// its end asks for the next rows.
    public static func bindings<Action: Sendable>(_ noun: String, loadsMore: Bool = false,
                                                  _ action: (Move) -> Action) -> [KeyBinding<Action>] {
        let more = loadsMore ? "; at the end, more load" : ""
        return [
            KeyBinding(.up, KeyHelp("↑/k", "up", long: "previous \(noun)", inBar: false), action(.up)),
            KeyBinding(.down, KeyHelp("↓/j", "down", long: "next \(noun)\(more)", inBar: false), action(.down)),
            KeyBinding([.pageUp], KeyHelp("PgUp", "page up", long: "a screenful up", inBar: false), action(.pageUp)),
            KeyBinding([.pageDown], KeyHelp("PgDn", "page down", long: "a screenful down", inBar: false), action(.pageDown)),
            KeyBinding([.home, .char("g")], KeyHelp("g", "top", long: "first \(noun) (also Home)", inBar: false), action(.top)),
            KeyBinding([.end, .char("G")], KeyHelp("G", "bottom", long: "last \(noun)\(loadsMore ? " loaded" : "") (also End)\(more)", inBar: false), action(.bottom)),
        ]
    }
}
