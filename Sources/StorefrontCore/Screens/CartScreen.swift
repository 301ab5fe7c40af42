import MarketplaceAPI

/// The signed-in shopper's cart: change quantities, remove lines, empty it;
/// totals are the server's exact amounts.
public struct CartScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), more, fewer, remove, clear, reload, checkout }

    public var cart: Cart?
    public var list = List()
    var awaiting: Pending<Cart>?
    public var failure: APIError?
    /// X asks once; a second X empties the cart.
    public var confirmingClear = false

    public init() {}

    public var title: String { "Cart" }
    public var busyLabel: String? { awaiting == nil ? nil : cart == nil ? "Loading your cart…" : "Updating your cart…" }
    public var status: StatusText? {
        if confirmingClear { return StatusText("Press X again to remove every item from your cart; any other key keeps them.", role: .warning) }
        return failure?.statusText(retryKey: "r")
    }

    var items: [LineItem] { cart?.items ?? [] }

    var keymap: Keymap<Action> {
        Keymap(List.bindings("item", Action.move) + [
            KeyBinding([.char("+"), .char("="), .right, .char("l")], KeyHelp("+", "more", long: "one more of this item (also →, l)"), .more),
            KeyBinding([.char("-"), .left, .char("h")], KeyHelp("-", "fewer", long: "one fewer of this item (also ←, h)"), .fewer),
            KeyBinding([.char("d"), .delete], KeyHelp("d", "remove", long: "remove this item (also Delete)"), .remove),
            KeyBinding([.char("X")], KeyHelp("X", "empty cart", long: "remove every item (asks first)"), .clear),
            KeyBinding([.char("r")], KeyHelp("r", "reload", long: "load the cart again (retry after an error)", inBar: failure != nil), .reload),
            KeyBinding([.enter], KeyHelp("Enter", "checkout", long: "shipping address, payment, place the order", primary: true), .checkout),
        ])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    public mutating func appear(_ ctx: inout Context) { send(.data(Endpoints.cart), &ctx) }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    mutating func send(_ request: Request<Cart>, _ ctx: inout Context) {
        failure = nil
        awaiting = ctx.send(request)
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if confirmingClear {
            confirmingClear = false
            if key == .char("X") { send(.data(Endpoints.clearCart), &ctx) }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        let line = list.selection.map { items[$0] }
        switch action {
        case .move(let move): list.move(move, rows: Self.rows(ctx.area))
        case .more:
            if let line { send(.data(Endpoints.addToCart, body: AddToCartRequest(productId: line.productId, quantity: 1)), &ctx) }
        case .fewer:
            if let line { send(.setCartQuantity(productID: line.productId, quantity: line.quantity - 1), &ctx) }
        case .remove:
            if let line { send(.data(Endpoints.removeFromCart, body: RemoveFromCartRequest(productId: line.productId)), &ctx) }
        case .clear:
            if !items.isEmpty { confirmingClear = true }
        case .reload: send(.data(Endpoints.cart), &ctx)
        case .checkout:
            if let cart, !cart.items.isEmpty { ctx.push(CheckoutScreen(cart: cart)) } else { ctx.notify("Your cart is empty.", role: .warning) }
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard let result = awaiting.take(id, reply) else { return }
        switch result {
        case .success(let fresh):
            cart = fresh
            list.reset(count: fresh.items.count)
        case .failure(let error):
            failure = error
        }
    }

    /// The rows of the list, between its heading and the total.
    static func rows(_ area: Rect) -> Int { max(1, area.height - 4) }

    public mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context) {
        if let index = list.index(atRow: y - (area.y + 2), rows: Self.rows(area)) { list.select(index, rows: Self.rows(area)) }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let width = min(area.width - 2, 100)
        let x = area.x + 1
        let quantityWidth = 5, priceWidth = 11
        let nameWidth = width - 2 - priceWidth * 2 - quantityWidth - 3
        frame.write("  " + TextWidth.pad("Item", to: nameWidth) + " " + TextWidth.pad("Price", to: priceWidth, alignRight: true) + " " +
                    TextWidth.pad("Qty", to: quantityWidth, alignRight: true) + " " + TextWidth.pad("Subtotal", to: priceWidth, alignRight: true),
                    x: x, y: area.y, role: .heading)
        guard let cart else {
            if failure != nil { frame.write("The cart could not be loaded. Press r to try again.", x: x + 2, y: area.y + 2, role: .error) }
            return
        }
        if cart.items.isEmpty {
            frame.write("Your cart is empty. Esc goes back to the catalogue.", x: x + 2, y: area.y + 2, role: .muted)
            return
        }
        let rows = Self.rows(area)
        list.drawPosition(&frame, right: x + width, y: area.y + 1)
        list.draw(&frame, in: Rect(x: x, y: area.y + 2, width: width, height: rows), glyphs: env.glyphs) { frame, index, start, y, chosen in
            let line = cart.items[index]
            var cx = frame.write(TextWidth.pad(line.name, to: nameWidth, ellipsis: env.glyphs.ellipsis), x: start, y: y, role: chosen ? .selection : .text) + 1
            cx = frame.write(TextWidth.pad(line.price.display(fitting: priceWidth), to: priceWidth, alignRight: true), x: cx, y: y, role: chosen ? .selection : .muted) + 1
            cx = frame.write(TextWidth.pad(String(line.quantity), to: quantityWidth, alignRight: true), x: cx, y: y, role: chosen ? .selection : .text) + 1
            frame.write(TextWidth.pad(line.subtotal.display(fitting: priceWidth), to: priceWidth, alignRight: true), x: cx, y: y, role: chosen ? .selection : .price)
        }
        let count = cart.items.reduce(0) { $0 + $1.quantity }
        let totalY = area.y + 3 + min(rows, cart.items.count)
        frame.write(String(repeating: env.glyphs.horizontal, count: width), x: x, y: totalY - 1, role: .border)
        let label = "\(count) item\(count == 1 ? "" : "s")   Total "
        let total = cart.totalPrice.display
        let end = x + width
        frame.write(total, x: end - TextWidth.of(total), y: totalY, role: .price)
        frame.write(label, x: end - TextWidth.of(total) - TextWidth.of(label), y: totalY, role: .heading)
    }
}
