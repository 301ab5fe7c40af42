import MarketplaceAPI

/// Admin: products below their low-stock threshold, with names; restock in
/// place; the list refreshes on its own every few seconds.
public struct LowStockScreen: ScreenState {
    enum Action: Sendable { case up, down, restock, reload }

    public static let refreshSeconds = 5.0

    public var levels: [InventoryLevel] = []
    public var names: [String: String] = [:]
    public var selected = 0
    public var restock: TextField?
    public var restockError: String?
    var listRequest: RequestID?
    var namesRequest: RequestID?
    var addRequest: RequestID?
    var lastRefresh: Double?
    var now: Double = 0
    public var loaded = false
    public var failure: APIError?

    public init() {}

    public var title: String { "Low stock" }
    public var capturesText: Bool { restock != nil }
    public var busyLabel: String? { addRequest != nil ? "Restocking…" : (listRequest != nil && !loaded) ? "Loading low stock…" : nil }
    public var status: StatusText? { failure?.statusText(retryKey: "r") }

    var keymap: Keymap<Action> {
        Keymap([
            KeyBinding(.up, KeyHelp("↑/k", "up", long: "previous product", inBar: false), .up),
            KeyBinding(.down, KeyHelp("↓/j", "down", long: "next product", inBar: false), .down),
            KeyBinding([.enter, .char("+")], KeyHelp("Enter", "restock", long: "add units to the selected product's stock (also +)"), .restock),
            KeyBinding([.char("r")], KeyHelp("r", "refresh", long: "refresh now (it also refreshes every \(Int(Self.refreshSeconds)) s)"), .reload),
        ])
    }

    public var keyHelp: [KeyHelp] {
        restock != nil ? [KeyHelp("Enter", "add units"), KeyHelp("Esc", "cancel")] : keymap.help
    }

    public mutating func appear(_ ctx: inout Context) { refresh(&ctx) }

    mutating func refresh(_ ctx: inout Context) {
        failure = nil
        lastRefresh = now
        listRequest = ctx.send(.lowStock)
    }

    public mutating func tick(_ now: Double, _ ctx: inout Context) {
        self.now = now
        guard listRequest == nil, addRequest == nil, restock == nil else { return }
        if let last = lastRefresh, now - last < Self.refreshSeconds { return }
        refresh(&ctx)
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if var field = restock {
            switch key {
            case .escape: restock = nil
            case .enter:
                guard let units = Int(field.trimmed), (1...100_000).contains(units) else {
                    restockError = "A whole number of units from 1 to 100000"
                    return true
                }
                restock = nil
                restockError = nil
                if levels.indices.contains(selected) {
                    addRequest = ctx.send(.addStock(productID: levels[selected].productId, quantity: units))
                }
            default:
                if case .char(let c) = key, !c.isNumber { return true }
                _ = field.edit(key)
                restock = field
                restockError = nil
            }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(max(0, levels.count - 1), selected + 1)
        case .restock: if levels.indices.contains(selected) { restock = TextField(maxLength: 6) }
        case .reload: refresh(&ctx)
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        switch reply {
        case .lowStock(let result) where id == listRequest:
            listRequest = nil
            switch result {
            case .success(let page):
                loaded = true
                let selectedID = levels.indices.contains(selected) ? levels[selected].productId : nil
                levels = page.data
                selected = selectedID.flatMap { id in levels.firstIndex { $0.productId == id } } ?? min(selected, max(0, levels.count - 1))
                let unnamed = levels.map(\.productId).filter { names[$0] == nil }
                if !unnamed.isEmpty { namesRequest = ctx.send(.productsByID(unnamed)) }
            case .failure(let error):
                failure = error
            }
        case .productsByID(let result) where id == namesRequest:
            namesRequest = nil
            if case .success(let products) = result {
                for (id, product) in products { names[id] = product.name }
            }
        case .stockAdded(let result) where id == addRequest:
            addRequest = nil
            switch result {
            case .success(let level):
                ctx.notify("\(names[level.productId] ?? level.productId): now \(level.quantity) in stock.")
                refresh(&ctx)
            case .failure(let error):
                failure = error
            }
        default:
            break
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let x = area.x + 1
        let nameWidth = min(area.width - 36, 70)
        frame.write("  " + TextWidth.pad("Product", to: nameWidth) + TextWidth.pad("In stock", to: 10, alignRight: true) +
                    TextWidth.pad("Threshold", to: 11, alignRight: true), x: x, y: area.y, role: .heading)
        if loaded && levels.isEmpty {
            frame.write("Nothing is low in stock.", x: x + 2, y: area.y + 2, role: .success)
        }
        for (index, level) in levels.prefix(area.height - 4).enumerated() {
            let y = area.y + 2 + index
            let chosen = index == selected
            if chosen { frame.fill(Rect(x: x, y: y, width: nameWidth + 23, height: 1), role: .selection) }
            var cx = frame.write(chosen ? env.glyphs.selection + " " : "  ", x: x, y: y, role: chosen ? .selection : .text)
            cx = frame.write(TextWidth.pad(names[level.productId] ?? level.productId, to: nameWidth, ellipsis: env.glyphs.ellipsis),
                             x: cx, y: y, role: chosen ? .selection : .text)
            cx = frame.write(TextWidth.pad(String(level.quantity), to: 10, alignRight: true), x: cx, y: y,
                             role: chosen ? .selection : level.quantity == 0 ? .stockOut : .stockLow)
            frame.write(TextWidth.pad(String(level.lowStockThreshold), to: 11, alignRight: true), x: cx, y: y, role: chosen ? .selection : .muted)
        }
        if let restock, levels.indices.contains(selected) {
            let y = area.maxY - 1
            let name = names[levels[selected].productId] ?? levels[selected].productId
            let cx = frame.write("Add units to \(TextWidth.truncate(name, to: 30, ellipsis: env.glyphs.ellipsis)): ", x: x, y: y, role: .label)
            restock.draw(&frame, x: cx, y: y, width: 8, focused: true, glyphs: env.glyphs)
            if let restockError { frame.write(restockError, x: cx + 10, y: y, role: .error, limit: area.maxX) }
        }
    }
}
