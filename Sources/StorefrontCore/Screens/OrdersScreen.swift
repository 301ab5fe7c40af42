import Foundation
import MarketplaceAPI

/// Order history, newest first: date, status, items and total; Enter opens
/// one. The server pages orders: reaching the end of the list loads the next page.
public struct OrdersScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), open, reload }

    public var orders: [Order] = []
    public var list = List()
    var awaiting: Pending<PageEnvelope<Order>>?
    /// The last page read, and whether the server has more.
    var page = 0
    var hasMore = false
    var loadingMore = false
    public var loaded = false
    public var failure: APIError?

    public init() {}

    public var title: String { "Orders" }
    public var busyLabel: String? { awaiting == nil ? nil : loadingMore ? "Loading older orders…" : "Loading your orders…" }
    public var status: StatusText? { failure?.statusText(retryKey: "r") }

    var keymap: Keymap<Action> {
        Keymap(List.bindings("order", loadsMore: true, Action.move) + [
            KeyBinding([.enter], KeyHelp("Enter", "details", long: "items and shipping address of the order"), .open),
            KeyBinding([.char("r")], KeyHelp("r", "reload", long: "load the orders again"), .reload),
        ])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    public mutating func appear(_ ctx: inout Context) { load(&ctx) }

    mutating func load(_ ctx: inout Context) {
        failure = nil
        loadingMore = false
        awaiting = ctx.send(Self.page(1))
    }

    mutating func loadMore(_ ctx: inout Context) {
        guard hasMore, awaiting == nil else { return }
        failure = nil
        loadingMore = true
        awaiting = ctx.send(Self.page(page + 1))
    }

    /// Orders a page.
    public static let pageSize = 50

    /// One page of the shopper's orders, newest first.
    public static func page(_ number: Int) -> Request<PageEnvelope<Order>> {
        .call(Endpoints.orders, query: "page=\(number)&limit=\(pageSize)")
    }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move):
            list.move(move, rows: Self.rows(ctx.area))
            if list.isAtEnd { loadMore(&ctx) }
        case .open: if let index = list.selection { ctx.push(OrderDetailScreen(order: orders[index])) }
        case .reload: load(&ctx)
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard let result = awaiting.take(id, reply) else { return }
        switch result {
        case .success(let reply):
            loaded = true
            let newer = loadingMore ? orders : []
            let shown = Set(newer.map(\.id))
            // Pages come newest first; an order placed meanwhile shifts them, so one seen already is skipped.
            orders = newer + reply.data.filter { !shown.contains($0.id) }.sorted { $0.createdAt > $1.createdAt }
            page = reply.pagination.page
            hasMore = reply.pagination.page * reply.pagination.limit < reply.pagination.total
            list.reset(count: orders.count, total: reply.pagination.total)
        case .failure(let error): failure = error
        }
        loadingMore = false
    }

    /// The rows of the list, below its heading.
    static func rows(_ area: Rect) -> Int { max(1, area.height - 3) }

    public mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context) {
        guard let index = list.index(atRow: y - (area.y + 2), rows: Self.rows(area)) else { return }
        if index == list.selected || double { ctx.push(OrderDetailScreen(order: orders[index])) } else { list.select(index, rows: Self.rows(area)) }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let x = area.x + 1
        let width = min(area.width - 2, 100)
        // A compact window leaves out the order number (Enter shows it).
        let idWidth = area.width >= 78 ? 12 : 0
        frame.write("  " + TextWidth.pad("Placed (UTC)", to: 18) + TextWidth.pad(idWidth > 0 ? "Order" : "", to: idWidth) + TextWidth.pad("Status", to: 11) +
                    TextWidth.pad("Items", to: 6, alignRight: true) + TextWidth.pad("Total", to: 13, alignRight: true), x: x, y: area.y, role: .heading,
                    limit: area.maxX)
        list.drawPosition(&frame, right: x + 2 + 18 + idWidth + 11 + 6 + 13, y: area.y + 1)
        if orders.isEmpty && loaded {
            frame.write("No orders yet. Esc goes back to the catalogue.", x: x + 2, y: area.y + 2, role: .muted)
        }
        list.draw(&frame, in: Rect(x: x, y: area.y + 2, width: width, height: Self.rows(area)), glyphs: env.glyphs) { frame, index, start, y, chosen in
            let order = orders[index]
            let count = order.items.reduce(0) { $0 + $1.quantity }
            var cx = frame.write(TextWidth.pad(formatDate(order.createdAt), to: 18), x: start, y: y, role: chosen ? .selection : .text)
            if idWidth > 0 { cx = frame.write(TextWidth.pad(String(order.id.prefix(8)), to: idWidth), x: cx, y: y, role: chosen ? .selection : .muted) }
            cx = frame.write(TextWidth.pad(order.status.rawValue, to: 11), x: cx, y: y, role: chosen ? .selection : statusRole(order.status))
            cx = frame.write(TextWidth.pad(String(count), to: 6, alignRight: true), x: cx, y: y, role: chosen ? .selection : .text)
            frame.write(TextWidth.pad(order.totalAmount.display, to: 13, alignRight: true), x: cx, y: y, role: chosen ? .selection : .price)
        }
    }
}

/// One order: its items (a list that scrolls like every other), total, status and where it ships.
/// Until a part of it ships the shopper may cancel it (x, asking first): the server refunds it and returns the stock.
public struct OrderDetailScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), cancel, reload }

    public var order: Order
    public var list: List
    var awaiting: Pending<Order>?
    public var failure: APIError?
    /// x asks once; y cancels.
    public var confirmingCancel = false
    var cancelRequest: Pending<Order>?
    /// The key of the cancellation last confirmed, kept while a retry (r) may send it again.
    var cancelKey: String?
    /// How the last cancellation failed; nil once one succeeds or r reloads the order.
    public var cancelFailure: APIError?
    /// Confirmations so far: each makes a key of its own.
    var confirmations = 0

    public init(order: Order) {
        self.order = order
        list = List(count: order.items.count)
    }

    public var title: String { "Order \(order.id.prefix(8))" }
    var shortID: String { String(order.id.prefix(8)) }

    /// The server cancels an order only while it is Pending or Confirmed (and nothing has shipped).
    public var cancellable: Bool { order.status == .pending || order.status == .confirmed }

    /// r sends the cancellation again (with its key) after it could not reach the server.
    var retriesCancel: Bool { cancelKey != nil && cancelFailure?.isConnectivity == true }

    public var busyLabel: String? { cancelRequest == nil ? nil : "Cancelling order \(shortID) and refunding \(order.totalAmount.display)…" }

    public var status: StatusText? {
        if confirmingCancel { return StatusText("Cancel order \(shortID) and refund \(order.totalAmount.display)? y/n", role: .warning) }
        if let cancelFailure {
            switch cancelFailure.code {
            case .orderNotCancellable?:
                return StatusText("Order \(shortID) can no longer be cancelled: a part of it has shipped.", role: .error)
            case .cancellationInProgress?:
                return StatusText("Order \(shortID) is being cancelled already. Press r to see how it stands.", role: .warning)
            default:
                return cancelFailure.statusText(retryKey: "r")
            }
        }
        return failure?.statusText(retryKey: "r")
    }

    var keymap: Keymap<Action> {
        let cancel = KeyBinding([.char("x")], KeyHelp("x", "cancel order", long: "cancel the order and refund it (asks first; only until it ships)"),
                                Action.cancel)
        let reload = retriesCancel ? KeyHelp("r", "retry cancel", long: "send the cancellation again") : KeyHelp("r", "reload", long: "load the order again")
        return Keymap(List.bindings("item", Action.move) + (cancellable ? [cancel] : []) + [KeyBinding([.char("r")], reload, .reload)])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    /// The rows for items, between the order's heading and its total and address.
    static func rows(_ area: Rect) -> Int { max(1, area.height - 10) }

    public mutating func appear(_ ctx: inout Context) { load(&ctx) }

    mutating func load(_ ctx: inout Context) { awaiting = ctx.send(.data(Endpoints.order, order.id)) }

    /// Cancels the order; `idempotencyKey` makes a retry answer the first request's outcome.
    public static func cancel(_ orderID: String, idempotencyKey: String) -> Request<Order> {
        .data(Endpoints.cancelOrder, orderID, headers: [IdempotencyKey.header(idempotencyKey)])
    }

    /// A new key for each confirmation; retries of one confirmation send the same.
    mutating func newCancelKey() -> String {
        confirmations += 1
        return IdempotencyKey.make("storefront-cancel-\(order.id.prefix(40))",
                                   [order.id, String(Int(order.updatedAt.timeIntervalSince1970)), order.status.rawValue, String(confirmations)])
    }

    mutating func sendCancel(_ key: String, _ ctx: inout Context) {
        cancelKey = key
        cancelFailure = nil
        failure = nil
        // A reload still out would answer with the status from before.
        awaiting = nil
        cancelRequest = ctx.send(Self.cancel(order.id, idempotencyKey: key))
    }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if confirmingCancel {
            confirmingCancel = false
            if key == .char("y") && cancellable { sendCancel(newCancelKey(), &ctx) }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move): list.move(move, rows: Self.rows(ctx.area))
        case .cancel: if cancelRequest == nil { confirmingCancel = true }
        case .reload:
            guard cancelRequest == nil else { break }
            if retriesCancel, let cancelKey {
                sendCancel(cancelKey, &ctx)
            } else {
                failure = nil
                cancelFailure = nil
                cancelKey = nil
                load(&ctx)
            }
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let result = cancelRequest.take(id, reply) { return cancelled(result, &ctx) }
        guard let result = awaiting.take(id, reply) else { return }
        switch result {
        case .success(let fresh): show(fresh)
        case .failure(let error): failure = error
        }
    }

    /// Signed in again after the session ended: a cancellation refused for it is stale (x asks again).
    public mutating func sessionResumed() {
        if cancelFailure?.endsSession == true {
            cancelFailure = nil
            cancelKey = nil
        }
    }

    mutating func show(_ fresh: Order) {
        order = fresh
        list.reset(count: fresh.items.count)
    }

    /// The cancellation's answer: the order Cancelled, or why not (by its code).
    mutating func cancelled(_ result: Result<Order, APIError>, _ ctx: inout Context) {
        switch result {
        case .success(let fresh):
            show(fresh)
            cancelKey = nil
            ctx.notify("Order \(shortID) is cancelled and \(fresh.totalAmount.display) refunded.")
        case .failure(let error):
            cancelFailure = error
            if !error.isConnectivity { cancelKey = nil }
            // Shipped meanwhile, or cancelled by another request: the order as it stands now.
            if error.code == .orderNotCancellable || error.code == .cancellationInProgress { load(&ctx) }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let x = area.x + 2
        var y = area.y + 1
        var cx = frame.write("Order \(order.id)", x: x, y: y, role: .title)
        cx = frame.write("  " + order.status.rawValue, x: cx, y: y, role: statusRole(order.status))
        y += 1
        frame.write("Placed \(formatDate(order.createdAt)) UTC", x: x, y: y, role: .muted)
        y += 2
        let nameWidth = min(area.width - 40, 60)
        list.drawPosition(&frame, right: x + nameWidth + 30, y: y - 1)
        let rows = Rect(x: area.x, y: y, width: nameWidth + 32, height: min(Self.rows(area), order.items.count))
        list.draw(&frame, in: rows, glyphs: env.glyphs) { frame, index, start, y, chosen in
            let line = order.items[index]
            var lx = frame.write(TextWidth.pad(line.name, to: nameWidth, ellipsis: env.glyphs.ellipsis), x: start, y: y, role: chosen ? .selection : .text)
            lx = frame.write(TextWidth.pad("\(line.quantity) × \(line.price.display)", to: 18, alignRight: true), x: lx, y: y, role: chosen ? .selection : .muted)
            frame.write(TextWidth.pad(line.subtotal.display, to: 12, alignRight: true), x: lx, y: y, role: chosen ? .selection : .price)
        }
        y += rows.height
        frame.write(TextWidth.pad("Total", to: nameWidth + 18, alignRight: true), x: x, y: y + 1, role: .heading)
        frame.write(TextWidth.pad(order.totalAmount.display, to: 12, alignRight: true), x: x + nameWidth + 18, y: y + 1, role: .price)
        y += 3
        if let address = order.shippingAddress {
            frame.write("Ships to", x: x, y: y, role: .heading)
            frame.write("\(address.street), \(address.zip) \(address.city), \(address.country)", x: x + 10, y: y, role: .text, limit: area.maxX)
        }
    }
}

func statusRole(_ status: OrderStatus) -> ThemeRole {
    switch status {
    case .pending: .warning
    case .confirmed, .shipped, .delivered: .success
    case .cancelled: .error
    }
}

/// "2026-11-25 12:40", always in UTC so every terminal (and golden file) agrees.
func formatDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
}
