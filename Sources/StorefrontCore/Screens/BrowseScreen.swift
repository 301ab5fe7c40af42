import MarketplaceAPI

/// The catalogue as one list that loads the next page when the selection
/// reaches its end: category, price range, search and sort; Enter opens a
/// product. Guests browse too.
public struct BrowseScreen: ScreenState {
    public enum Prompt: Equatable, Sendable {
        case search(TextField)
        case price(TextField, error: String?)
    }

    enum Action: Sendable {
        case move(List.Move), open, search, category, price, sort, clear, reload, cart, orders, profile, vendor, lowStock, fulfilment, signIn
    }

    public var query = ProductQuery()
    /// The name the vendor filter (`query.ownerID`) shows under; nil when unknown.
    public var vendorName: String?
    public var products: [Product] = []
    public var pagination: Pagination?
    /// Each product's stock, as its answer carried it (or a stock request for those without).
    public var stock: [String: ProductStock] = [:]
    public var list = List()
    public var prompt: Prompt?
    public var picker: ListPicker?
    public var knownCategories: Set<String> = []
    /// Every category of the catalogue with its count, once the server has answered.
    public var categoryCounts: [CategoryCount]?
    var categoriesRequest: Pending<[CategoryCount]>?
    public var awaiting: Pending<PageEnvelope<Product>>?
    /// The next page is being asked for, to add to the list.
    var loadingMore = false
    var stockRequest: Pending<[String: ProductStock]>?
    public var failure: APIError?
    var signedIn = false
    var isAdmin = false
    var isSeller = false

    public init() {}

    /// The catalogue of one vendor: the list filtered by its owner, `x` clears it.
    public init(vendor ownerID: String, name: String?) {
        query.ownerID = ownerID
        vendorName = name
    }

    public var title: String { "Browse" }
    public var capturesText: Bool { prompt != nil || picker != nil }
    public var busyLabel: String? { awaiting == nil ? nil : loadingMore ? "Loading more products…" : "Loading products…" }
    public var status: StatusText? { failure?.statusText(retryKey: "r") }

    public var pageCount: Int {
        guard let pagination, pagination.limit > 0 else { return 1 }
        return max(1, (pagination.total + pagination.limit - 1) / pagination.limit)
    }

    /// Pages the server has that the list does not show yet.
    var hasMore: Bool { query.page < pageCount }

    var keymap: Keymap<Action> {
        var bindings: [KeyBinding<Action>] = List.bindings("product", loadsMore: true, Action.move) + [
            KeyBinding([.enter], KeyHelp("Enter", "open", long: "open the product: description, stock, add to cart", primary: true), .open),
            KeyBinding([.char("/")], KeyHelp("/", "search", long: "search names and descriptions"), .search),
            KeyBinding([.char("f")], KeyHelp("f", "category", long: "filter by category"), .category),
            KeyBinding([.char("$")], KeyHelp("$", "price", long: "filter by price range, like 10-50", inBar: false), .price),
            KeyBinding([.char("s")], KeyHelp("s", "sort", long: "sort: newest, price low to high, price high to low"), .sort),
            KeyBinding([.char("x")], KeyHelp("x", "clear", long: "clear category, search, price and vendor filters", inBar: false), .clear),
        ]
        // After a failure the retry key leads the bar, so it is never the one cut off.
        let reload = KeyBinding<Action>([.char("r")], KeyHelp("r", "reload", long: "load the list again from the top (retry after an error)", inBar: failure != nil), .reload)
        if failure != nil { bindings.insert(reload, at: 0) } else { bindings.append(reload) }
        // The account's own places: they outlast the screen's keys in a short bar.
        if signedIn {
            if isAdmin { bindings.append(KeyBinding([.char("A")], KeyHelp("A", "low stock", long: "admin: products low in stock, restock in place", scope: .role), .lowStock)) }
            if isSeller { bindings.append(KeyBinding([.char("V")], KeyHelp("V", "my products", long: "vendor: your products, create, edit, delete, add stock", scope: .role), .vendor)) }
            if isAdmin {
                bindings.append(KeyBinding([.char("O")], KeyHelp("O", "all orders", long: "admin: every order with its parts, by status; cancel one", inBar: false, scope: .role), .fulfilment))
            } else if isSeller {
                bindings.append(KeyBinding([.char("O")], KeyHelp("O", "orders to ship", long: "vendor: orders of your products; ship your part, mark it delivered", inBar: false, scope: .role), .fulfilment))
            }
            bindings.append(KeyBinding([.char("c")], KeyHelp("c", "cart", long: "your cart", scope: .role), .cart))
            bindings.append(KeyBinding([.char("o")], KeyHelp("o", "orders", long: "your order history", inBar: false, scope: .role), .orders))
            bindings.append(KeyBinding([.char("u")], KeyHelp("u", "profile", long: "your profile: phone, newsletter, theme, addresses", inBar: false, scope: .role), .profile))
        } else {
            bindings.append(KeyBinding([.char("i")], KeyHelp("i", "sign in", long: "sign in or create an account", scope: .role), .signIn))
        }
        return Keymap(bindings)
    }

    public var keyHelp: [KeyHelp] {
        if picker != nil {
            return [KeyHelp("↑/↓", "choose"), KeyHelp("Enter", "apply", primary: true), KeyHelp("Esc", "cancel")]
        }
        if case .price? = prompt { return [KeyHelp("Enter", "apply", long: "apply the price range", primary: true), KeyHelp("Esc", "cancel")] }
        if prompt != nil { return [KeyHelp("Enter", "search", long: "search for the typed words", primary: true), KeyHelp("Esc", "cancel")] }
        return keymap.help
    }

    public mutating func appear(_ ctx: inout Context) {
        signedIn = ctx.session != nil
        isAdmin = ctx.session?.user.role == .admin
        isSeller = ctx.session?.user.role == .vendor || isAdmin
        // After a failure (a session that ended, say) coming back loads again.
        // Back from a product or the cart: the badges again, in one request, since stock may have moved.
        if (products.isEmpty || failure != nil) && awaiting == nil { restart(&ctx) } else { refreshStock(&ctx, all: true) }
    }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) {
        // The category picker scrolls under the wheel too; the search and price prompts do not.
        if var picker {
            for _ in 0..<abs(rows) { _ = picker.handle(rows < 0 ? .up : .down, area: ctx.area) }
            self.picker = picker
            return
        }
        wheelAsArrows(rows, &ctx)
    }

    mutating func load(_ ctx: inout Context) {
        failure = nil
        awaiting = ctx.send(Self.page(query))
    }

    /// One page of the catalogue.
    public static func page(_ query: ProductQuery) -> Request<PageEnvelope<Product>> {
        .call(Endpoints.products, query: query.queryString)
    }

    /// The list from its first page: new filters, a new sort, a reload.
    mutating func restart(_ ctx: inout Context) {
        query.page = 1
        loadingMore = false
        load(&ctx)
    }

    /// The next page, added below the rows on show.
    mutating func loadMore(_ ctx: inout Context) {
        guard hasMore, awaiting == nil else { return }
        query.page += 1
        loadingMore = true
        load(&ctx)
    }

    /// Asks for the stock of every product on the list (`all`), or of those whose
    /// answer did not carry it (an inventory that did not answer in time), if any.
    mutating func refreshStock(_ ctx: inout Context, all: Bool = false) {
        let missing = products.filter { all || stock[$0.id] == nil }.map(\.id)
        guard !missing.isEmpty else { return }
        stockRequest = ctx.send(.stock(missing))
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        signedIn = ctx.session != nil
        isAdmin = ctx.session?.user.role == .admin
        isSeller = ctx.session?.user.role == .vendor || isAdmin
        if var picker {
            switch picker.handle(key, area: ctx.area) {
            case .stay: self.picker = picker
            case .cancelled: self.picker = nil
            case .chosen(let category):
                self.picker = nil
                query.category = category
                list = List()
                restart(&ctx)
            }
            return true
        }
        if let prompt {
            handlePrompt(prompt, key, &ctx)
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move):
            list.move(move, rows: BrowseLayout(ctx.area).listHeight)
            if list.isAtEnd { loadMore(&ctx) }
        case .open:
            guard let index = list.selection else { break }
            let product = products[index]
            ctx.push(ProductDetailScreen(product: product, stock: stock[product.id]))
        case .search: prompt = .search(TextField(query.search ?? "", maxLength: 100))
        case .price:
            let current = [query.minPrice?.description ?? "", query.maxPrice?.description ?? ""].joined(separator: "-")
            prompt = .price(TextField(current == "-" ? "" : current, maxLength: 25), error: nil)
        case .category:
            // Every category of the catalogue, asked each time the picker opens (the server
            // keeps them cached); until it answers, those of the products loaded so far.
            var picker = ListPicker(title: "Category", noneLabel: "All categories", options: knownCategories.sorted(), current: query.category)
            if let categoryCounts { picker.replaceOptions(categoryOptions(categoryCounts, loaded: knownCategories), counts: categoryCountsByName(categoryCounts)) }
            self.picker = picker
            categoriesRequest = ctx.send(.data(Endpoints.categories))
        case .sort:
            let all = ProductSort.allCases
            query.sort = all[(all.firstIndex(of: query.sort)! + 1) % all.count]
            list = List()
            restart(&ctx)
        case .clear:
            query = ProductQuery(sort: query.sort)
            vendorName = nil
            list = List()
            restart(&ctx)
        case .reload: restart(&ctx)
        case .cart: ctx.push(CartScreen())
        case .orders: ctx.push(OrdersScreen())
        case .lowStock: ctx.push(LowStockScreen())
        case .profile: ctx.push(ProfileScreen())
        case .vendor: ctx.push(VendorScreen())
        case .fulfilment: ctx.push(FulfilmentScreen())
        case .signIn: ctx.push(LoginScreen())
        }
        return true
    }

    private mutating func handlePrompt(_ prompt: Prompt, _ key: Key, _ ctx: inout Context) {
        switch prompt {
        case .search(var field):
            switch key {
            case .escape: self.prompt = nil
            case .enter:
                self.prompt = nil
                query.search = field.trimmed.isEmpty ? nil : field.trimmed
                list = List()
                restart(&ctx)
            default:
                _ = field.edit(key)
                self.prompt = .search(field)
            }
        case .price(var field, _):
            switch key {
            case .escape: self.prompt = nil
            case .enter:
                switch Self.parsePriceRange(field.trimmed) {
                case .success(let range):
                    self.prompt = nil
                    (query.minPrice, query.maxPrice) = range
                    list = List()
                    restart(&ctx)
                case .failure(let problem):
                    self.prompt = .price(field, error: problem.description)
                }
            default:
                _ = field.edit(key)
                self.prompt = .price(field, error: nil)
            }
        }
    }

    /// "10-50", "10-", "-50" or "" (any price).
    static func parsePriceRange(_ text: String) -> Result<(Money?, Money?), UsageError> {
        if text.isEmpty { return .success((nil, nil)) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let wrong = UsageError("Write a range like 10-50, 10- or -50 (dollars, up to 2 decimals)")
        guard parts.count <= 2 else { return .failure(wrong) }
        func money(_ part: String) -> Money?? { part.isEmpty ? .some(nil) : Money(part).map { .some($0) } }
        guard let low = money(parts[0]), let high = parts.count == 2 ? money(parts[1]) : .some(low) else { return .failure(wrong) }
        if let low, let high, low > high { return .failure(UsageError("The lowest price must not be above the highest")) }
        return .success((low, high))
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let result = categoriesRequest.take(id, reply) {
            // Without the full list the picker keeps the categories of the products loaded.
            if case .success(let counts) = result {
                categoryCounts = counts
                picker?.replaceOptions(categoryOptions(counts, loaded: knownCategories), counts: categoryCountsByName(counts))
            }
            return
        }
        if let result = awaiting.take(id, reply) {
            let adding = loadingMore
            loadingMore = false
            switch result {
            case .success(let page):
                // A product that moved up a page since the last one was read shows once.
                let shown = adding ? Set(products.map(\.id)) : []
                products = adding ? products + page.data.filter { !shown.contains($0.id) } : page.data
                pagination = page.pagination
                list.reset(count: products.count, total: page.pagination.total)
                knownCategories.formUnion(products.map(\.category))
                if !adding { stock = [:] }
                for product in page.data { if let known = product.stock { stock[product.id] = known } }
                refreshStock(&ctx)
            case .failure(let error):
                if adding { query.page -= 1 }
                failure = error
            }
        } else if let result = stockRequest.take(id, reply) {
            // Badges are extra: without stock answers the list still works.
            if case .success(let levels) = result { stock.merge(levels) { $1 } }
        }
    }

    public mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context) {
        let layout = BrowseLayout(area)
        guard let row = layout.row(atY: y, x: x), let index = list.index(atRow: row, rows: layout.listHeight) else { return }
        let open = index == list.selected || double
        list.select(index, rows: layout.listHeight)
        if open { _ = handle(.enter, &ctx) }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = BrowseLayout(area)
        drawFilters(&frame, area, env)
        let pane = layout.list
        let columns = layout.columns
        frame.write(TextWidth.pad("  Name", to: columns.name + 2) + " " + TextWidth.pad("Category", to: columns.category) + " " +
                    TextWidth.pad("Price", to: columns.price, alignRight: true) + "  " + "Stock",
                    x: pane.x, y: area.y + 1, role: .heading, limit: pane.maxX)
        if products.isEmpty {
            let message = awaiting != nil ? "Loading the catalogue…"
                : failure != nil ? "The catalogue could not be loaded. Press r to try again."
                : "No products match these filters. Press x to clear them."
            frame.write(message, x: pane.x + 2, y: layout.listTop + 1, role: failure != nil ? .error : .muted, limit: pane.maxX)
        }
        list.draw(&frame, in: Rect(x: pane.x, y: layout.listTop, width: pane.width, height: layout.listHeight), glyphs: env.glyphs) { frame, index, x, y, chosen in
            drawRow(&frame, products[index], x: x, y: y, chosen: chosen, layout: layout, env: env)
        }
        if pagination != nil {
            let sort = switch query.sort {
            case .newest: "newest first"
            case .priceAscending: "price, low to high"
            case .priceDescending: "price, high to low"
            }
            let more = hasMore ? " \(env.glyphs.dot) more load at the end" : ""
            frame.write("\(list.position) products \(env.glyphs.dot) \(sort)\(more)",
                        x: pane.x + 2, y: area.maxY - 1, role: .muted, limit: pane.maxX)
        }
        if let preview = layout.preview, let index = list.selection {
            drawPreview(&frame, products[index], in: preview, env)
        }
        if let picker { picker.draw(&frame, in: area, glyphs: env.glyphs) }
    }

    private func drawFilters(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let y = area.y
        if let prompt {
            switch prompt {
            case .search(let field):
                let x = frame.write(" Search: ", x: 0, y: y, role: .label)
                field.draw(&frame, x: x, y: y, width: min(40, area.width - x - 2), focused: true, glyphs: env.glyphs)
            case .price(let field, let error):
                var x = frame.write(" Price range: ", x: 0, y: y, role: .label)
                field.draw(&frame, x: x, y: y, width: 14, focused: true, glyphs: env.glyphs)
                x += 16
                frame.write(error ?? "like 10-50, 10- or -50; empty for any", x: x, y: y, role: error == nil ? .muted : .error, limit: area.maxX)
            }
            return
        }
        var x = 1
        func item(_ label: String, _ value: String, active: Bool) {
            // A filter not in use gives way when the row is full (a vendor's name on a narrow terminal).
            if !active && x + TextWidth.of(label) + 1 + TextWidth.of(value) > area.maxX { return }
            x = frame.write(label + " ", x: x, y: y, role: .label)
            x = frame.write(value, x: x, y: y, role: active ? .badge : .muted) + 3
        }
        if query.ownerID != nil { item("Vendor", vendorName ?? "selected", active: true) }
        item("Category", query.category ?? "all", active: query.category != nil)
        item("Search", query.search.map { "\"\($0)\"" } ?? "none", active: query.search != nil)
        let price: String = switch (query.minPrice, query.maxPrice) {
        case (nil, nil): "any"
        case (let low?, nil): "from \(low.display)"
        case (nil, let high?): "up to \(high.display)"
        case (let low?, let high?): "\(low.display)–\(high.display)"
        }
        item("Price", price, active: query.minPrice != nil || query.maxPrice != nil)
    }

    private func drawRow(_ frame: inout Frame, _ product: Product, x start: Int, y: Int, chosen: Bool, layout: BrowseLayout, env: DrawEnv) {
        let columns = layout.columns
        var x = frame.write(TextWidth.pad(product.name, to: columns.name, ellipsis: env.glyphs.ellipsis), x: start, y: y, role: chosen ? .selection : .text) + 1
        x = frame.write(TextWidth.pad(product.category, to: columns.category, ellipsis: env.glyphs.ellipsis), x: x, y: y, role: chosen ? .selection : .muted) + 1
        x = frame.write(TextWidth.pad(product.price.display(fitting: columns.price), to: columns.price, alignRight: true), x: x, y: y, role: chosen ? .selection : .price) + 2
        if let level = stock[product.id], let badge = stockBadge(level) {
            frame.write(TextWidth.truncate(badge.text, to: columns.stock, ellipsis: env.glyphs.ellipsis), x: x, y: y, role: chosen ? .selection : badge.role, limit: layout.list.maxX)
        }
    }

    private func drawPreview(_ frame: inout Frame, _ product: Product, in pane: Rect, _ env: DrawEnv) {
        for y in pane.y..<pane.maxY { frame.write(env.glyphs.vertical, x: pane.x, y: y, role: .border) }
        let x = pane.x + 2
        let width = pane.width - 3
        frame.write(TextWidth.truncate(product.name, to: width, ellipsis: env.glyphs.ellipsis), x: x, y: pane.y, role: .title)
        var y = pane.y + 1
        let after = frame.write(product.price.display, x: x, y: y, role: .price)
        if let level = stock[product.id], let badge = stockBadge(level) { frame.write("  " + badge.text, x: after, y: y, role: badge.role) }
        y += 2
        for line in TextWidth.wrap(product.description, width: width).prefix(max(0, pane.maxY - y - 1)) {
            frame.write(line, x: x, y: y, role: .text)
            y += 1
        }
    }
}

/// Where the list, its columns and (on wide terminals) the preview pane sit,
/// shared by drawing, keys and mouse clicks so all three agree.
struct BrowseLayout {
    let list: Rect
    let preview: Rect?
    let listTop: Int
    let listHeight: Int
    let columns: (name: Int, category: Int, price: Int, stock: Int)

    /// `area`: the content area, three rows shorter than the terminal.
    init(_ area: Rect) {
        let sizeClass = SizeClass(Size(width: area.width, height: area.height + 3))
        let previewWidth = sizeClass == .wide ? max(36, area.width / 3) : 0
        list = Rect(x: area.x, y: area.y, width: area.width - previewWidth, height: area.height)
        preview = previewWidth > 0 ? Rect(x: area.maxX - previewWidth, y: area.y + 1, width: previewWidth, height: area.height - 2) : nil
        listTop = area.y + 2
        listHeight = max(1, area.height - 3)
        let category = sizeClass == .compact ? 12 : 16, price = 10, stock = 13
        columns = (name: max(10, list.width - 2 - category - price - stock - 5), category: category, price: price, stock: stock)
    }

    /// The row of the list at a point, counted from the top row on show.
    func row(atY y: Int, x: Int) -> Int? {
        guard y >= listTop, y < listTop + listHeight, x >= list.x, x < list.maxX else { return nil }
        return y - listTop
    }
}

/// The picker's options: every category the catalogue counts, and any of the
/// products loaded that the count did not know yet, by name.
func categoryOptions(_ counts: [CategoryCount], loaded: Set<String>) -> [String] {
    Set(counts.map(\.name)).union(loaded).sorted()
}

func categoryCountsByName(_ counts: [CategoryCount]) -> [String: Int] {
    Dictionary(counts.map { ($0.name, $0.count) }, uniquingKeysWith: { first, _ in first })
}

