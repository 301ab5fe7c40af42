import Foundation

/// A small list to choose from, filtered by typing (the category picker).
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
    public var filter = TextField(maxLength: 100)
    public var selected = 0

    public init(title: String, noneLabel: String, options: [String], current: String?) {
        self.title = title
        self.noneLabel = noneLabel
        self.options = options
        if let current, let index = options.firstIndex(of: current) { selected = index + 1 }
    }

    /// What the list shows: the none entry, then matches; typed text that
    /// matches nothing exactly can be chosen as it is.
    public var entries: [(label: String, value: String?)] {
        let typed = filter.trimmed
        let matches = typed.isEmpty ? options : options.filter { $0.localizedCaseInsensitiveContains(typed) }
        var entries: [(label: String, value: String?)] = typed.isEmpty ? [(noneLabel, nil)] : []
        entries += matches.map { ($0, $0) }
        if !typed.isEmpty && !options.contains(where: { $0.caseInsensitiveCompare(typed) == .orderedSame }) {
            entries.append(("Use \"\(typed)\"", typed))
        }
        return entries
    }

    public mutating func handle(_ key: Key) -> Outcome {
        let count = entries.count
        switch key {
        case .escape: return .cancelled
        case .enter:
            guard selected < count else { return .stay }
            return .chosen(entries[selected].value)
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(max(0, count - 1), selected + 1)
        default:
            if filter.edit(key) { selected = 0 }
        }
        return .stay
    }

    public func draw(_ frame: inout Frame, in area: Rect, glyphs: Glyphs) {
        let width = min(area.width - 4, 44)
        let entries = entries
        let height = min(area.height - 2, max(entries.count, 1) + 4)
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + 1, width: width, height: height)
        frame.drawBox(box, glyphs: glyphs, title: title)
        frame.write("Type to filter:", x: box.x + 2, y: box.y + 1, role: .label)
        filter.draw(&frame, x: box.x + 18, y: box.y + 1, width: width - 20, focused: true, glyphs: glyphs)
        let rows = height - 3
        let first = max(0, selected - rows + 1)
        for (offset, entry) in entries.dropFirst(first).prefix(rows).enumerated() {
            let index = first + offset
            let y = box.y + 2 + offset
            let chosen = index == selected
            if chosen { frame.fill(Rect(x: box.x + 1, y: y, width: width - 2, height: 1), role: .selection) }
            frame.write((chosen ? glyphs.selection : " ") + " " + TextWidth.truncate(entry.label, to: width - 6, ellipsis: glyphs.ellipsis),
                        x: box.x + 2, y: y, role: chosen ? .selection : .text)
        }
    }
}
