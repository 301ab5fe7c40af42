import Foundation

/// A small list to choose from, filtered by typing (the category picker).
/// Letters are typed into the filter, so only ↑/↓ and PgUp/PgDn move the
/// selection; Home and End move the filter's cursor.
public struct ListPicker: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        case stay
        case chosen(String?)
        case cancelled
    }

    public var title: String
    /// The first entry, meaning "no choice" (e.g. "All categories").
    public var noneLabel: String
    public var options: [String]
    /// A count shown beside an option ("Books (12)"), where known.
    public var counts: [String: Int] = [:]
    public var filter = TextField(maxLength: 100)
    public var list = List()

    public init(title: String, noneLabel: String, options: [String], current: String?) {
        self.title = title
        self.noneLabel = noneLabel
        self.options = options
        list.reset(count: entries.count)
        if let current, let index = options.firstIndex(of: current) { list.select(index + 1, rows: list.count) }
    }

    /// What the list shows: the none entry, then matches; typed text that
    /// matches nothing exactly can be chosen as it is.
    public var entries: [(label: String, value: String?)] {
        let typed = filter.trimmed
        let matches = typed.isEmpty ? options : options.filter { $0.localizedCaseInsensitiveContains(typed) }
        var entries: [(label: String, value: String?)] = typed.isEmpty ? [(noneLabel, nil)] : []
        entries += matches.map { option in (counts[option].map { "\(option) (\($0))" } ?? option, option) }
        if !typed.isEmpty && !options.contains(where: { $0.caseInsensitiveCompare(typed) == .orderedSame }) {
            entries.append(("Use \"\(typed)\"", typed))
        }
        return entries
    }

    /// The options replaced (a fuller list arrived), keeping the selected option and the typed filter.
    public mutating func replaceOptions(_ options: [String], counts: [String: Int]) {
        let selected = list.selection.flatMap { $0 < entries.count ? entries[$0].value : nil }
        self.options = options
        self.counts = counts
        list.reset(count: entries.count)
        if let selected, let index = entries.firstIndex(where: { $0.value == selected }) { list.select(index, rows: list.count) }
    }

    /// `area`: where the picker draws, so paging knows how many rows show.
    public mutating func handle(_ key: Key, area: Rect) -> Outcome {
        let rows = box(in: area).height - 3
        switch key {
        case .escape: return .cancelled
        case .enter:
            guard let index = list.selection else { return .stay }
            return .chosen(entries[index].value)
        case .up: list.move(.up, rows: rows)
        case .down: list.move(.down, rows: rows)
        case .pageUp: list.move(.pageUp, rows: rows)
        case .pageDown: list.move(.pageDown, rows: rows)
        default:
            if filter.edit(key) {
                list.reset(count: entries.count)
                list.select(0, rows: rows)
            }
        }
        return .stay
    }

    func box(in area: Rect) -> Rect {
        let width = min(area.width - 4, 44)
        let height = min(area.height - 2, max(list.count, 1) + 4)
        return Rect(x: area.x + (area.width - width) / 2, y: area.y + 1, width: width, height: height)
    }

    public func draw(_ frame: inout Frame, in area: Rect, glyphs: Glyphs) {
        let box = box(in: area)
        let entries = entries
        frame.drawBox(box, glyphs: glyphs, title: title)
        frame.write("Type to filter:", x: box.x + 2, y: box.y + 1, role: .label)
        filter.draw(&frame, x: box.x + 18, y: box.y + 1, width: box.width - 20, focused: true, glyphs: glyphs)
        let rows = Rect(x: box.x + 1, y: box.y + 2, width: box.width - 2, height: box.height - 3)
        list.draw(&frame, in: rows, glyphs: glyphs, plain: true) { frame, index, x, y, chosen in
            if chosen { frame.fill(Rect(x: x, y: y, width: rows.width, height: 1), role: .selection) }
            frame.write((chosen ? glyphs.selection : " ") + " " + TextWidth.truncate(entries[index].label, to: box.width - 6, ellipsis: glyphs.ellipsis),
                        x: x + 1, y: y, role: chosen ? .selection : .text)
        }
    }
}
