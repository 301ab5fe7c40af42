import Foundation

/// `/` on a list screen: a filter over the rows already loaded, by name, id or
/// status (the server is not asked). Typing narrows the list at once; Enter keeps
/// the filter, Esc clears it (while typing, or after, before Esc goes back).
public struct RowFilter: Equatable, Sendable {
    /// The field while the filter is being typed; nil otherwise.
    public private(set) var field: TextField?
    /// The filter in force: what was typed, trimmed; empty for none.
    public private(set) var text = ""

    public init() {}

    public var isEditing: Bool { field != nil }
    public var isActive: Bool { !text.isEmpty }

    /// The list screen's `/`.
    public static let help = KeyHelp("/", "filter", long: "filter the rows on show by name, id or status: type to narrow, Enter keeps it, Esc clears it")
    /// Esc on a list with a filter kept.
    public static let clearHelp = KeyHelp("Esc", "clear filter", long: "clear the filter (Esc again goes back)")

    /// The keys while the filter is being typed.
    public var keyHelp: [KeyHelp] {
        [KeyHelp("Enter", "keep filter", long: "keep the filter and go back to the list's keys", primary: true),
         KeyHelp("Esc", "clear filter", long: "clear the filter")]
    }

    public mutating func start() { field = TextField(text, maxLength: 100) }

    /// Clears the filter; true when that changed the rows on show.
    public mutating func clear() -> Bool {
        field = nil
        defer { text = "" }
        return !text.isEmpty
    }

    /// A key while typing; true when the rows on show changed.
    public mutating func handle(_ key: Key) -> Bool {
        guard var field else { return false }
        switch key {
        case .escape:
            return clear()
        case .enter:
            self.field = nil
            return false
        default:
            _ = field.edit(key)
            self.field = field
            let old = text
            text = field.trimmed
            return text != old
        }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    /// Every word of the filter appears in one of `fields` (case and accents aside).
    public func matches(_ fields: [String]) -> Bool {
        guard isActive else { return true }
        let haystack = Self.fold(fields.joined(separator: "\n"))
        return text.split(separator: " ").allSatisfy { haystack.contains(Self.fold(String($0))) }
    }

    /// The positions in `rows` of the rows that match, in order.
    public func indices<Row>(_ rows: [Row], _ fields: (Row) -> [String]) -> [Int] {
        guard isActive else { return Array(rows.indices) }
        return rows.indices.filter { matches(fields(rows[$0])) }
    }

    /// On the row between a list's heading and its first row, at its left:
    /// the field while typing, the filter in force after.
    public func draw(_ frame: inout Frame, x: Int, y: Int, width: Int, glyphs: Glyphs) {
        if let field {
            let after = frame.write("Filter: ", x: x, y: y, role: .label)
            field.draw(&frame, x: after, y: y, width: max(4, min(30, x + width - after - 12)), focused: true, glyphs: glyphs)
        } else if isActive {
            let after = frame.write("Filter ", x: x, y: y, role: .label)
            frame.write("\"\(text)\"", x: after, y: y, role: .badge, limit: x + width)
        }
    }
}
