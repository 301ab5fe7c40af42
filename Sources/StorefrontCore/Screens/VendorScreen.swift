import MarketplaceAPI

/// A vendor's own products: create, edit, delete (asking first) and add stock.
public struct VendorScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), create, edit, delete, stock, reload, orders, filter, clearFilter }

    public var products: [Product] = []
    public var stock: [String: ProductStock] = [:]
    public var truncated = false
    public var list = List()
    /// `/`: the products narrowed by name, id or category.
    public var filter = RowFilter()
    public var loaded = false
    /// d asks once; y deletes.
    public var confirmingDelete = false
    public var stockPrompt: UnitsPrompt?
    var listRequest: Pending<VendorProducts>?
    var stockRequest: Pending<[String: ProductStock]>?
    /// A deletion (answered by the id deleted) or added stock, one at a time.
    var deleteRequest: Pending<String>?
    var stockAddRequest: Pending<InventoryLevel>?
    public var failure: APIError?

    public init() {}

    public var title: String { "My products" }
    public var capturesText: Bool { stockPrompt != nil || filter.isEditing }
    public var busyLabel: String? {
        deleteRequest != nil || stockAddRequest != nil ? "Saving…" : (listRequest != nil && !loaded) ? "Looking for your products…" : nil
    }
    public var status: StatusText? {
        if confirmingDelete, let product = selected {
            return StatusText("Delete \(product.name)? y deletes it, any other key keeps it.", role: .warning)
        }
        return failure?.statusText(retryKey: "r")
    }

    var keymap: Keymap<Action> {
        Keymap(List.bindings("product", Action.move) + [
            KeyBinding([.char("n"), .char("a")], KeyHelp("n", "new", long: "create a product (also a)"), .create),
            KeyBinding([.enter, .char("e")], KeyHelp("Enter", "edit", long: "edit the selected product (also e)", primary: true), .edit),
            KeyBinding([.char("+")], KeyHelp("+", "add stock", long: "add units to the selected product's stock"), .stock),
            KeyBinding([.char("d"), .delete], KeyHelp("d", "delete", long: "delete the selected product (asks first)"), .delete),
            KeyBinding([.char("r")], KeyHelp("r", "reload", long: "load your products again", inBar: false), .reload),
            KeyBinding([.char("O")], KeyHelp("O", "orders to ship", long: "orders of your products: ship your part, mark it delivered (an admin sees every order)",
                                             inBar: false), .orders),
        ] + (filter.isActive ? [KeyBinding([.escape], RowFilter.clearHelp, .clearFilter)] : []) + [
            // A filter in force: its Esc outlasts / in a short bar.
            KeyBinding([.char("/")], RowFilter.help, .filter),
        ])
    }

    public var keyHelp: [KeyHelp] {
        stockPrompt?.keyHelp ?? (filter.isEditing ? filter.keyHelp : keymap.help)
    }

    /// The positions in `products` of the rows on show.
    var shown: [Int] { filter.indices(products) { [$0.id, $0.name, $0.category] } }

    /// The list again after the rows on show changed, the same product selected while it still shows.
    mutating func relist(selecting id: String?, _ ctx: Context) {
        let shown = self.shown
        list.reset(count: shown.count)
        if let index = id.flatMap({ id in shown.firstIndex { products[$0].id == id } }) { list.select(index, rows: Self.rows(ctx.area)) }
    }

    public mutating func appear(_ ctx: inout Context) { load(&ctx) }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    mutating func load(_ ctx: inout Context) {
        guard let owner = ctx.session?.user.id else { return }
        failure = nil
        listRequest = ctx.send(.myProducts(ownerID: owner))
    }

    var selected: Product? { list.selection.map { products[shown[$0]] } }

    /// The rows of the list, between its heading and the prompt row.
    static func rows(_ area: Rect) -> Int { max(1, area.height - 4) }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if filter.isEditing {
            let id = selected?.id
            if filter.handle(key) {
                list = List()
                relist(selecting: id, ctx)
            }
            return true
        }
        if confirmingDelete {
            confirmingDelete = false
            if key == .char("y"), let product = selected {
                stockAddRequest = nil
                deleteRequest = ctx.send(Request.call(Endpoints.deleteProduct, product.id).map { _ in product.id })
            }
            return true
        }
        if var prompt = stockPrompt {
            switch prompt.handle(key) {
            case .stay: stockPrompt = prompt
            case .cancelled: stockPrompt = nil
            case .units(let units):
                stockPrompt = nil
                if let product = selected {
                    deleteRequest = nil
                    stockAddRequest = ctx.send(.data(Endpoints.addStock, body: AddStockRequest(productId: product.id, quantity: units)))
                }
            }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move): list.move(move, rows: Self.rows(ctx.area))
        case .create: ctx.push(ProductFormScreen())
        case .edit: if let product = selected { ctx.push(ProductFormScreen(editing: product)) }
        case .stock: if selected != nil { stockPrompt = UnitsPrompt() }
        case .delete: if selected != nil { confirmingDelete = true }
        case .reload: load(&ctx)
        case .orders: ctx.push(FulfilmentScreen())
        case .filter: filter.start()
        case .clearFilter:
            let id = selected?.id
            if filter.clear() {
                list = List()
                relist(selecting: id, ctx)
            }
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let result = listRequest.take(id, reply) {
            switch result {
            case .success(let found):
                loaded = true
                products = found.products
                truncated = found.truncated
                list.reset(count: shown.count)
                for product in products { if let known = product.stock { stock[product.id] = known } }
                let missing = products.filter { stock[$0.id] == nil }.map(\.id)
                if !missing.isEmpty { stockRequest = ctx.send(.stock(missing)) }
            case .failure(let error): failure = error
            }
        } else if let result = stockRequest.take(id, reply) {
            if case .success(let levels) = result { stock.merge(levels) { $1 } }
        } else if let result = stockAddRequest.take(id, reply) {
            switch result {
            case .success(let level):
                stock[level.productId] = ProductStock(level)
                ctx.notify("Stock is now \(level.quantity).")
            case .failure(let error): failure = error
            }
        } else if let result = deleteRequest.take(id, reply) {
            switch result {
            case .success(let deleted):
                let name = products.first { $0.id == deleted }?.name ?? "The product"
                products.removeAll { $0.id == deleted }
                list.reset(count: shown.count)
                ctx.notify("\(name) was deleted.")
            case .failure(let error): failure = error
            }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let x = area.x + 1
        let nameWidth = min(area.width - 46, 60)
        frame.write("  " + TextWidth.pad("Name", to: nameWidth) + " " + TextWidth.pad("Category", to: 14) +
                    TextWidth.pad("Price", to: 11, alignRight: true) + TextWidth.pad("Stock", to: 8, alignRight: true), x: x, y: area.y, role: .heading)
        if loaded && products.isEmpty {
            frame.write("You have no products yet. Press n to create one.", x: x + 2, y: area.y + 2, role: .muted)
        }
        list.drawPosition(&frame, right: x + nameWidth + 36, y: area.y + 1)
        filter.draw(&frame, x: x + 2, y: area.y + 1, width: nameWidth + 34, glyphs: env.glyphs)
        let shown = self.shown
        if shown.isEmpty && !products.isEmpty {
            frame.write("None of your products matches the filter. Esc clears it.", x: x + 2, y: area.y + 2, role: .muted, limit: area.maxX)
        }
        list.draw(&frame, in: Rect(x: x, y: area.y + 2, width: nameWidth + 36, height: Self.rows(area)), glyphs: env.glyphs) { frame, index, start, y, chosen in
            let product = products[shown[index]]
            var cx = frame.write(TextWidth.pad(product.name, to: nameWidth, ellipsis: env.glyphs.ellipsis), x: start, y: y, role: chosen ? .selection : .text) + 1
            cx = frame.write(TextWidth.pad(product.category, to: 14, ellipsis: env.glyphs.ellipsis), x: cx, y: y, role: chosen ? .selection : .muted)
            cx = frame.write(TextWidth.pad(product.price.display(fitting: 10), to: 11, alignRight: true), x: cx, y: y, role: chosen ? .selection : .price)
            let quantity = stock[product.id].map { String($0.quantity) } ?? ""
            frame.write(TextWidth.pad(quantity, to: 8, alignRight: true), x: cx, y: y, role: chosen ? .selection : .text)
        }
        let bottom = area.maxY - 1
        if let stockPrompt, let product = selected {
            stockPrompt.draw(&frame, product: product.name, x: x, y: bottom, limit: area.maxX, glyphs: env.glyphs)
        } else if truncated {
            frame.write("Only your newest \(VendorProducts.most) products are listed.", x: x + 2, y: bottom, role: .muted)
        }
    }
}
