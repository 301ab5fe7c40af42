/// The `?` help: every key of the screen, grouped as "This screen", "Your
/// role" and "Everywhere", in a box that scrolls when the keys outgrow it, so
/// no key is ever out of reach, whatever the role or the window.
struct HelpOverlay {
    enum Line: Equatable {
        case heading(String)
        /// A key and the first line of what it does.
        case key(String, String)
        /// What a key does, continued where the box is too narrow for it.
        case more(String)
        case blank
    }

    let lines: [Line]
    let box: Rect
    /// Rows of keys on show between the title and the footer.
    let rows: Int
    let title: String
    /// Where descriptions start, after the widest key.
    let keyColumn: Int

    init(_ model: Model, size: Size? = nil) {
        let size = size ?? model.size
        let groups: [(String, [KeyHelp])] = [
            ("This screen", model.screen.keyHelp.filter { $0.scope == .screen }),
            ("Your role" + (model.session.map { " (\($0.user.role.rawValue))" } ?? ""), model.screen.keyHelp.filter { $0.scope == .role }),
            ("Everywhere", model.screen.keyHelp.filter { $0.scope == .global } + model.globalKeyHelp),
        ]
        let content = Layout.content(size)
        let width = min(content.width - 2, 72)
        let all = groups.flatMap(\.1)
        keyColumn = min(16, all.map { TextWidth.of($0.keys) }.max() ?? 0) + 2
        let textWidth = max(10, width - keyColumn - 6)
        var lines: [Line] = []
        for (name, keys) in groups where !keys.isEmpty {
            if !lines.isEmpty { lines.append(.blank) }
            lines.append(.heading(name))
            for help in keys {
                let wrapped = TextWidth.wrap(help.long, width: textWidth)
                lines.append(.key(help.keys, wrapped.first ?? ""))
                lines += wrapped.dropFirst().map(Line.more)
            }
        }
        self.lines = lines
        let height = min(content.height, lines.count + 4)
        box = Rect(x: (size.width - width) / 2, y: content.y + max(0, (content.height - height) / 2), width: width, height: height)
        rows = max(1, height - 4)
        title = "Keys: \(model.screen.title)"
    }

    var scrolls: Bool { lines.count > rows }
    var page: Int { max(1, rows - 1) }

    func clamp(_ first: Int) -> Int { max(0, min(first, lines.count - rows)) }

    func draw(_ frame: inout Frame, first: Int, glyphs: Glyphs) {
        frame.drawBox(box, glyphs: glyphs, title: title)
        let first = clamp(first)
        for (row, line) in lines[first..<min(lines.count, first + rows)].enumerated() {
            let y = box.y + 1 + row
            switch line {
            case .heading(let name): frame.write(name, x: box.x + 2, y: y, role: .heading)
            case .key(let keys, let text):
                frame.write(TextWidth.truncate(keys, to: keyColumn - 1), x: box.x + 4, y: y, role: .key)
                frame.write(text, x: box.x + 4 + keyColumn, y: y, role: .text, limit: box.maxX - 2)
            case .more(let text): frame.write(text, x: box.x + 4 + keyColumn, y: y, role: .text, limit: box.maxX - 2)
            case .blank: break
            }
        }
        let footer: String
        if scrolls {
            let last = min(lines.count, first + rows)
            let more = last < lines.count ? "more below" : "the end"
            let long = "\(first + 1)–\(last) of \(lines.count), \(more). ↓/↑ PgDn/PgUp scroll, other keys close."
            footer = TextWidth.of(long) <= box.width - 4 ? long : "\(first + 1)–\(last) of \(lines.count), \(more). ↓/↑ scroll."
        } else {
            footer = "Press any key to close this help."
        }
        frame.write(TextWidth.truncate(footer, to: box.width - 4, ellipsis: glyphs.ellipsis), x: box.x + 2, y: box.maxY - 2, role: .muted)
    }
}
