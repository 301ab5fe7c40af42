import MarketplaceAPI

/// One product: price, live stock, description, image URLs; choose a quantity
/// and add it to the cart.
public struct ProductDetailScreen: ScreenState {
    enum Action: Sendable { case more, fewer, add, cart, reload, vendor }

    public var product: Product
    /// nil while unknown.
    public var stock: ProductStock?
    public var quantity = 1
    var productRequest: Pending<Product>?
    var stockRequest: Pending<[String: ProductStock]>?
    var addRequest: Pending<Cart>?
    public var failure: APIError?
    var signedIn = false

    public init(product: Product, stock: ProductStock? = nil) {
        self.product = product
        self.stock = stock ?? product.stock
    }

    public var title: String { product.name }
    public var busyLabel: String? {
        addRequest != nil ? "Adding to your cart…" : productRequest != nil ? "Refreshing…" : nil
    }
    public var status: StatusText? { failure?.statusText(retryKey: "r") }

    /// Most a shopper can pick: what is in stock (when known), at most 99 per add.
    var maximumQuantity: Int {
        if let stock { return max(1, min(99, stock.quantity)) }
        return 99
    }

    var isOutOfStock: Bool {
        if let stock { return stock.quantity <= 0 }
        return false
    }

    var keymap: Keymap<Action> {
        var bindings: [KeyBinding<Action>] = [
            KeyBinding([.char("+"), .char("="), .right, .char("l")], KeyHelp("+/→", "more", long: "one more (also l)"), .more),
            KeyBinding([.char("-"), .left, .char("h")], KeyHelp("-/←", "fewer", long: "one fewer (also h)"), .fewer),
            KeyBinding([.enter, .char("a")], KeyHelp("Enter", "add to cart", long: "add this quantity to your cart (also a)", primary: true), .add),
            KeyBinding([.char("r")], KeyHelp("r", "reload", long: "load the product and its stock again", inBar: failure != nil), .reload),
            KeyBinding([.char("v")], KeyHelp("v", "vendor", long: "more from this product's vendor: the catalogue filtered by them (x there clears it)",
                                             inBar: false), .vendor),
        ]
        if signedIn { bindings.append(KeyBinding([.char("c")], KeyHelp("c", "cart", long: "your cart"), .cart)) }
        return Keymap(bindings)
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    public mutating func appear(_ ctx: inout Context) {
        signedIn = ctx.session != nil
        reload(&ctx)
    }

    mutating func reload(_ ctx: inout Context) {
        failure = nil
        // The product's answer carries its stock: one request for the page.
        productRequest = ctx.send(.data(Endpoints.product, product.id))
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .more: quantity = min(maximumQuantity, quantity + 1)
        case .fewer: quantity = max(1, quantity - 1)
        case .reload: reload(&ctx)
        case .cart: ctx.push(CartScreen())
        case .vendor: ctx.push(BrowseScreen(vendor: product.userId, name: product.vendorName))
        case .add:
            guard ctx.session != nil else {
                ctx.notify("Sign in to use the cart: Esc, then i.", role: .warning)
                break
            }
            guard !isOutOfStock else {
                ctx.notify("\(product.name) is out of stock.", role: .warning)
                break
            }
            failure = nil
            addRequest = ctx.send(.data(Endpoints.addToCart, body: AddToCartRequest(productId: product.id, quantity: quantity)))
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let result = productRequest.take(id, reply) {
            switch result {
            case .success(let fresh):
                product = fresh
                if let known = fresh.stock {
                    stock = known
                    quantity = min(quantity, maximumQuantity)
                } else {
                    stockRequest = ctx.send(.stock([product.id]))
                }
            case .failure(let error): failure = error
            }
        } else if let result = stockRequest.take(id, reply) {
            if case .success(let levels) = result, let level = levels[product.id] {
                stock = level
                quantity = min(quantity, maximumQuantity)
            }
        } else if let result = addRequest.take(id, reply) {
            switch result {
            case .success(let cart):
                let count = cart.items.reduce(0) { $0 + $1.quantity }
                ctx.notify("Added \(quantity) × \(product.name). Cart: \(count) item\(count == 1 ? "" : "s"), \(cart.totalPrice.display).")
                quantity = 1
            case .failure(let error):
                failure = error
            }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let x = area.x + 2
        let width = area.width - 4
        var y = area.y + 1
        frame.write(TextWidth.truncate(product.name, to: width, ellipsis: env.glyphs.ellipsis), x: x, y: y, role: .title)
        y += 1
        var after = frame.write(product.price.display, x: x, y: y, role: .price)
        after = frame.write("  \(env.glyphs.dot) \(product.category)", x: after, y: y, role: .muted)
        if let badge = stockBadge(stock) {
            frame.write("  " + badge.text, x: after, y: y, role: badge.role)
        } else {
            frame.write("  Checking stock…", x: after, y: y, role: .muted)
        }
        y += 1
        if let vendor = product.vendorName {
            let by = frame.write("Sold by ", x: x, y: y, role: .muted)
            let hint = "  \(env.glyphs.dot) v more from them"
            let end = frame.write(TextWidth.truncate(vendor, to: max(1, area.maxX - 2 - by - TextWidth.of(hint)), ellipsis: env.glyphs.ellipsis),
                                  x: by, y: y, role: .label)
            frame.write(hint, x: end, y: y, role: .muted, limit: area.maxX)
            y += 1
        }
        y += 1
        var qx = frame.write("Quantity  ", x: x, y: y, role: .label)
        qx = frame.write("[-]", x: qx, y: y, role: .button)
        qx = frame.write(" \(quantity) ", x: qx, y: y, role: .inputFocused)
        qx = frame.write("[+]", x: qx, y: y, role: .button)
        if signedIn {
            drawButton(&frame, isOutOfStock ? "Out of stock" : "Add to cart", x: qx + 4, y: y, focused: !isOutOfStock)
        } else {
            frame.write("    Sign in to buy (Esc, then i)", x: qx, y: y, role: .muted)
        }
        y += 2
        let imageRows = product.images.isEmpty ? 0 : min(product.images.count, 3) + 2
        let descriptionRows = max(1, area.maxY - y - imageRows - 1)
        for line in TextWidth.wrap(product.description, width: min(width, 96)).prefix(descriptionRows) {
            frame.write(line, x: x, y: y, role: .text)
            y += 1
        }
        if !product.images.isEmpty {
            y += 1
            frame.write("Images", x: x, y: y, role: .heading)
            for url in product.images.prefix(3) {
                y += 1
                frame.write(TextWidth.truncate(url, to: width, ellipsis: env.glyphs.ellipsis), x: x, y: y, role: .muted)
            }
        }
    }
}
