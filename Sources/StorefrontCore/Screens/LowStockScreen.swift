import MarketplaceAPI

/// Admin: products below their low-stock threshold, with names; restock in
/// place; the list refreshes on its own every few seconds. The server pages
/// the list: reaching its end loads the next page, and a refresh reads again
/// every page loaded so far.
public struct LowStockScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), restock, reload, orders, filter, clearFilter }

    public static let refreshSeconds = 5.0
    public static let pageSize = 100

    public var levels: [InventoryLevel] = []
    /// Rows by page as last read; `levels` is them in order, each product once.
    var pages: [Int: [InventoryLevel]] = [:]
    /// The pages asked for and not answered yet, by request.
    var pageRequests: [Pending<PageEnvelope<InventoryLevel>>: Int] = [:]
    var total = 0
    public var names: [String: String] = [:]
    public var list = List()
    /// `/`: the loaded rows narrowed by product name, id or status (low, out).
    public var filter = RowFilter()
    public var restock: UnitsPrompt?
    /// Name lookups out, one per page read, so one page's answer never drops another's.
    var namesRequests: Set<Pending<[String: Product]>> = []
    var addRequest: Pending<InventoryLevel>?
    var lastRefresh: Double?
    var now: Double = 0
    public var loaded = false
    public var failure: APIError?

    public init() {}

    public var title: String { "Low stock" }
    public var capturesText: Bool { restock != nil || filter.isEditing }
    public var busyLabel: String? {
        if addRequest != nil { return "Restocking…" }
        if !pageRequests.isEmpty && !loaded { return "Loading low stock…" }
        if pageRequests.values.contains(where: { $0 > pages.count }) { return "Loading more…" }
        return nil
    }

    var hasMore: Bool { pages.count * Self.pageSize < total }
    public var status: StatusText? { failure?.statusText(retryKey: "r") }

    var keymap: Keymap<Action> {
        Keymap(List.bindings("product", loadsMore: true, Action.move) + [
            KeyBinding([.enter, .char("+")], KeyHelp("Enter", "restock", long: "add units to the selected product's stock (also +)", primary: true), .restock),
            KeyBinding([.char("r")], KeyHelp("r", "refresh", long: "refresh now (it also refreshes every \(Int(Self.refreshSeconds)) s)"), .reload),
            KeyBinding([.char("O")], KeyHelp("O", "all orders", long: "every order with its parts, by status; cancel one", inBar: false), .orders),
        ] + (filter.isActive ? [KeyBinding([.escape], RowFilter.clearHelp, .clearFilter)] : []) + [
            // A filter in force: its Esc outlasts / in a short bar.
            KeyBinding([.char("/")], RowFilter.help, .filter),
        ])
    }

    public var keyHelp: [KeyHelp] {
        restock?.keyHelp ?? (filter.isEditing ? filter.keyHelp : keymap.help)
    }

    /// The positions in `levels` of the rows on show.
    var shown: [Int] {
        filter.indices(levels) { [$0.productId, names[$0.productId] ?? "", $0.quantity == 0 ? "out" : "low"] }
    }

    var selectedID: String? { list.selection.map { levels[shown[$0]].productId } }

    /// The list again after the rows on show changed, the same product selected while it still shows.
    mutating func relist(selecting id: String?, _ ctx: Context) {
        let shown = self.shown
        list.reset(count: shown.count, total: filter.isActive ? nil : max(total, levels.count))
        if let index = id.flatMap({ id in shown.firstIndex { levels[$0].productId == id } }) { list.select(index, rows: Self.rows(ctx.area)) }
    }

    public mutating func appear(_ ctx: inout Context) { refresh(&ctx) }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    mutating func refresh(_ ctx: inout Context) {
        failure = nil
        lastRefresh = now
        for page in 1...max(1, pages.count) { pageRequests[ctx.send(Self.page(page))] = page }
    }

    mutating func loadMore(_ ctx: inout Context) {
        guard hasMore, pageRequests.isEmpty else { return }
        pageRequests[ctx.send(Self.page(pages.count + 1))] = pages.count + 1
    }

    /// One page of the low-stock list, `pageSize` rows.
    public static func page(_ number: Int) -> Request<PageEnvelope<InventoryLevel>> {
        .call(Endpoints.lowStock, query: "page=\(number)&limit=\(pageSize)")
    }

    public mutating func tick(_ now: Double, _ ctx: inout Context) {
        self.now = now
        guard pageRequests.isEmpty, addRequest == nil, restock == nil else { return }
        if let last = lastRefresh, now - last < Self.refreshSeconds { return }
        refresh(&ctx)
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if filter.isEditing {
            let id = selectedID
            if filter.handle(key) {
                list = List()
                relist(selecting: id, ctx)
            }
            return true
        }
        if var prompt = restock {
            switch prompt.handle(key) {
            case .stay: restock = prompt
            case .cancelled: restock = nil
            case .units(let units):
                restock = nil
                if let productID = selectedID {
                    addRequest = ctx.send(.data(Endpoints.addStock, body: AddStockRequest(productId: productID, quantity: units)))
                }
            }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move):
            list.move(move, rows: Self.rows(ctx.area))
            if list.isAtEnd { loadMore(&ctx) }
        case .restock: if list.selection != nil { restock = UnitsPrompt() }
        case .reload: refresh(&ctx)
        case .orders: ctx.push(FulfilmentScreen())
        case .filter: filter.start()
        case .clearFilter:
            let id = selectedID
            if filter.clear() {
                list = List()
                relist(selecting: id, ctx)
            }
        }
        return true
    }

    /// The rows of the list, between its heading and the prompt row.
    static func rows(_ area: Rect) -> Int { max(1, area.height - 4) }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let (request, number) = pageRequests.first(where: { $0.key.id == id }), let result = request.result(id, reply) {
            pageRequests[request] = nil
            switch result {
            case .success(let page):
                loaded = true
                // The rows move as stock changes: keep the same product selected.
                let selectedID = self.selectedID
                pages[number] = page.data
                total = page.pagination.total
                // Pages past the end (rows restocked away) are gone.
                let last = max(1, (total + Self.pageSize - 1) / Self.pageSize)
                pages = pages.filter { $0.key <= last }
                var seen = Set<String>()
                levels = pages.keys.sorted().flatMap { pages[$0]! }.filter { seen.insert($0.productId).inserted }
                relist(selecting: selectedID, ctx)
                // Names for this page's rows only: at most a page of ids a request.
                let unnamed = page.data.map(\.productId).filter { names[$0] == nil }
                if !unnamed.isEmpty { namesRequests.insert(ctx.send(.productsByID(unnamed))) }
            case .failure(let error):
                failure = error
            }
        } else if let request = namesRequests.first(where: { $0.id == id }), let result = request.result(id, reply) {
            namesRequests.remove(request)
            if case .success(let products) = result {
                let selectedID = self.selectedID
                for (id, product) in products { names[id] = product.name }
                // Names are what a filter reads most: the rows on show may change with them.
                if filter.isActive { relist(selecting: selectedID, ctx) }
            }
        } else if let result = addRequest.take(id, reply) {
            switch result {
            case .success(let level):
                ctx.notify("\(names[level.productId] ?? level.productId): now \(level.quantity) in stock.")
                refresh(&ctx)
            case .failure(let error):
                failure = error
            }
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
        let width = nameWidth + 23
        list.drawPosition(&frame, right: x + width, y: area.y + 1)
        filter.draw(&frame, x: x + 2, y: area.y + 1, width: width - 2, glyphs: env.glyphs)
        let shown = self.shown
        if shown.isEmpty && !levels.isEmpty {
            frame.write("No product loaded matches the filter. Esc clears it.", x: x + 2, y: area.y + 2, role: .muted, limit: area.maxX)
        }
        list.draw(&frame, in: Rect(x: x, y: area.y + 2, width: width, height: Self.rows(area)), glyphs: env.glyphs) { frame, index, start, y, chosen in
            let level = levels[shown[index]]
            var cx = frame.write(TextWidth.pad(names[level.productId] ?? level.productId, to: nameWidth, ellipsis: env.glyphs.ellipsis),
                                 x: start, y: y, role: chosen ? .selection : .text)
            cx = frame.write(TextWidth.pad(String(level.quantity), to: 10, alignRight: true), x: cx, y: y,
                             role: chosen ? .selection : level.quantity == 0 ? .stockOut : .stockLow)
            frame.write(TextWidth.pad(String(level.lowStockThreshold), to: 11, alignRight: true), x: cx, y: y, role: chosen ? .selection : .muted)
        }
        if let restock, let productID = selectedID {
            restock.draw(&frame, product: names[productID] ?? productID, x: x, y: area.maxY - 1, limit: area.maxX, glyphs: env.glyphs)
        }
    }
}
