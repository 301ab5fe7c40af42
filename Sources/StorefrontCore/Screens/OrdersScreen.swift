import Foundation
import MarketplaceAPI

/// Order history, newest first: date, status, items and total; Enter opens
/// one. The server pages orders: reaching the end of the list loads the next page.
/// While it is open the list reads its pages again every few seconds, so an order
/// that ships or is cancelled shows its new status, the selection staying put.
public struct OrdersScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), open, reload, filter, clearFilter }

    public var orders: [Order] = []
    public var list = List()
    /// `/`: the loaded orders narrowed by id, status or item names.
    public var filter = RowFilter()
    /// How many orders the server has, for the list's position while no filter is on.
    var serverTotal: Int?
    var awaiting: Pending<PageEnvelope<Order>>?
    /// The last page read, and whether the server has more.
    var page = 0
    var hasMore = false
    var loadingMore = false
    public var loaded = false
    public var failure: APIError?
    /// The quiet re-reads of the pages on show, by request (their page).
    var refreshRequests: [Pending<PageEnvelope<Order>>: Int] = [:]
    var lastRefresh: Double?
    /// The clock at the last tick; nil before the first.
    var now: Double?

    /// How often the list reads its orders again on its own.
    public static let refreshSeconds = 5.0

    public init() {}

    public var title: String { "Orders" }
    public var capturesText: Bool { filter.isEditing }
    public var busyLabel: String? { awaiting == nil ? nil : loadingMore ? "Loading older orders…" : "Loading your orders…" }
    public var status: StatusText? { failure?.statusText(retryKey: "r") }

    var keymap: Keymap<Action> {
        Keymap(List.bindings("order", loadsMore: true, Action.move) + [
            KeyBinding([.enter], KeyHelp("Enter", "details", long: "items and shipping address of the order", primary: true), .open),
            KeyBinding([.char("r")], KeyHelp("r", "reload", long: "load the orders again (the list also refreshes every \(Int(Self.refreshSeconds)) s)"), .reload),
        ] + (filter.isActive ? [KeyBinding([.escape], RowFilter.clearHelp, .clearFilter)] : []) + [
            // A filter in force: its Esc outlasts / in a short bar.
            KeyBinding([.char("/")], RowFilter.help, .filter),
        ])
    }

    public var keyHelp: [KeyHelp] { filter.isEditing ? filter.keyHelp : keymap.help }

    /// The positions in `orders` of the rows on show.
    var shown: [Int] { filter.indices(orders) { [$0.id, $0.status.rawValue] + $0.items.map(\.name) } }

    /// The list again after the filter changed, the same order selected while it still shows.
    mutating func refilter(selecting id: String?, _ ctx: Context) {
        let shown = self.shown
        list = List()
        list.reset(count: shown.count, total: filter.isActive ? nil : serverTotal)
        if let index = id.flatMap({ id in shown.firstIndex { orders[$0].id == id } }) { list.select(index, rows: Self.rows(ctx.area)) }
    }

    public mutating func appear(_ ctx: inout Context) { load(&ctx) }

    mutating func load(_ ctx: inout Context) {
        failure = nil
        loadingMore = false
        refreshRequests = [:]
        lastRefresh = now
        awaiting = ctx.send(Self.page(1))
    }

    /// Every `refreshSeconds`, while nothing else is out: the pages loaded so far, read again.
    public mutating func tick(_ now: Double, _ ctx: inout Context) {
        self.now = now
        guard loaded, awaiting == nil, refreshRequests.isEmpty else { return }
        guard let last = lastRefresh else { lastRefresh = now; return }
        if now - last < Self.refreshSeconds { return }
        lastRefresh = now
        for number in 1...max(1, page) { refreshRequests[ctx.send(Self.page(number))] = number }
    }

    /// A page read again: each order on show takes its new status (and everything else it
    /// says), orders placed meanwhile join at the top, and the same order stays selected.
    mutating func refreshed(_ fresh: PageEnvelope<Order>, _ ctx: inout Context) {
        let selectedID = list.selection.map { orders[self.shown[$0]].id }
        let known = Dictionary(orders.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let newest = orders.first?.createdAt
        var placed: [Order] = []
        for order in fresh.data {
            if let index = known[order.id] {
                orders[index] = order
            } else if newest.map({ order.createdAt > $0 }) ?? true, !placed.contains(where: { $0.id == order.id }) {
                placed.append(order)
            }
        }
        guard !placed.isEmpty || list.total != fresh.pagination.total else { return }
        orders = placed.sorted { $0.createdAt > $1.createdAt } + orders
        serverTotal = max(fresh.pagination.total, orders.count)
        let shown = self.shown
        list.reset(count: shown.count, total: filter.isActive ? nil : serverTotal)
        if let index = selectedID.flatMap({ id in shown.firstIndex { orders[$0].id == id } }) { list.select(index, rows: Self.rows(ctx.area)) }
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
        if filter.isEditing {
            let selectedID = list.selection.map { orders[shown[$0]].id }
            if filter.handle(key) { refilter(selecting: selectedID, ctx) }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move):
            list.move(move, rows: Self.rows(ctx.area))
            if list.isAtEnd { loadMore(&ctx) }
        case .open: if let index = list.selection { ctx.push(OrderDetailScreen(order: orders[shown[index]])) }
        case .reload: load(&ctx)
        case .filter: filter.start()
        case .clearFilter:
            let selectedID = list.selection.map { orders[shown[$0]].id }
            if filter.clear() { refilter(selecting: selectedID, ctx) }
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let (request, _) = refreshRequests.first(where: { $0.key.id == id }), let result = request.result(id, reply) {
            refreshRequests[request] = nil
            // A refresh that failed says nothing new: the header shows the server offline, the next one tries again.
            if case .success(let fresh) = result { refreshed(fresh, &ctx) }
            return
        }
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
            serverTotal = reply.pagination.total
            list.reset(count: self.shown.count, total: filter.isActive ? nil : reply.pagination.total)
        case .failure(let error): failure = error
        }
        loadingMore = false
    }

    /// The rows of the list, below its heading.
    static func rows(_ area: Rect) -> Int { max(1, area.height - 3) }

    public mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context) {
        guard let index = list.index(atRow: y - (area.y + 2), rows: Self.rows(area)) else { return }
        if index == list.selected || double { ctx.push(OrderDetailScreen(order: orders[shown[index]])) } else { list.select(index, rows: Self.rows(area)) }
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
        filter.draw(&frame, x: x + 2, y: area.y + 1, width: width - 2, glyphs: env.glyphs)
        if orders.isEmpty && loaded {
            frame.write("No orders yet. Esc goes back to the catalogue.", x: x + 2, y: area.y + 2, role: .muted)
        }
        let shown = self.shown
        if shown.isEmpty && !orders.isEmpty {
            frame.write("No order loaded matches the filter. Esc clears it.", x: x + 2, y: area.y + 2, role: .muted, limit: area.maxX)
        }
        list.draw(&frame, in: Rect(x: x, y: area.y + 2, width: width, height: Self.rows(area)), glyphs: env.glyphs) { frame, index, start, y, chosen in
            let order = orders[shown[index]]
            let count = order.items.reduce(0) { $0 + $1.quantity }
            var cx = frame.write(TextWidth.pad(formatDate(order.createdAt), to: 18), x: start, y: y, role: chosen ? .selection : .text)
            if idWidth > 0 { cx = frame.write(TextWidth.pad(String(order.id.prefix(8)), to: idWidth), x: cx, y: y, role: chosen ? .selection : .muted) }
            cx = frame.write(TextWidth.pad(order.status.rawValue, to: 11), x: cx, y: y, role: chosen ? .selection : statusRole(order.status))
            cx = frame.write(TextWidth.pad(String(count), to: 6, alignRight: true), x: cx, y: y, role: chosen ? .selection : .text)
            frame.write(TextWidth.pad(order.totalAmount.display(fitting: 12), to: 13, alignRight: true), x: cx, y: y, role: chosen ? .selection : .price)
        }
    }
}

/// One order: its items (a list that scrolls like every other), total, status and where it ships,
/// and once it is paid its timeline: confirmed, each vendor's part shipped (carrier, tracking
/// number) and delivered, cancelled and refunded. It reads the order again every few seconds.
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
    /// The quiet re-read of the order every `OrdersScreen.refreshSeconds`.
    var refreshRequest: Pending<Order>?
    var lastRefresh: Double?
    /// The clock at the last tick; nil before the first.
    var now: Double?

    public init(order: Order) {
        self.order = order
        list = List(count: order.items.count)
    }

    public var title: String { "Order \(order.id.prefix(8))" }
    var shortID: String { String(order.id.prefix(8)) }

    /// The server cancels an order only while it is Pending or Confirmed and no part of it has shipped.
    public var cancellable: Bool {
        (order.status == .pending || order.status == .confirmed) && !order.shipments.contains { $0.status != .pending }
    }

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
        let reload = retriesCancel ? KeyHelp("r", "retry cancel", long: "send the cancellation again") : KeyHelp("r", "reload", long: "load the order again (it also refreshes every \(Int(OrdersScreen.refreshSeconds)) s)")
        return Keymap(List.bindings("item", Action.move) + (cancellable ? [cancel] : []) + [KeyBinding([.char("r")], reload, .reload)])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    /// The rows for items, between the order's heading and its total and address (and timeline).
    static func rows(_ area: Rect) -> Int { max(1, area.height - 10) }

    /// The rows for items with the timeline below the address.
    func rows(_ area: Rect) -> Int {
        let timeline = timelineRows(area)
        return timeline == 0 ? Self.rows(area) : max(1, area.height - 9 - timeline)
    }

    /// The timeline's rows on show: all of it where the window has room, leaving one row of items.
    func timelineRows(_ area: Rect) -> Int {
        let lines = timelineLines(area)
        return lines.isEmpty ? 0 : min(lines.count, max(1, area.height - 10))
    }

    /// The timeline as drawn in `area`: each moment's words wrapped after its date, the date on its first line.
    func timelineLines(_ area: Rect) -> [Event] {
        let width = max(10, area.width - 2 - 18 - 1)
        return timeline.flatMap { event in
            TextWidth.wrap(event.text, width: width).enumerated().map { index, text in
                Event(date: index == 0 ? event.date : nil, text: text, role: event.role)
            }
        }
    }

    public mutating func appear(_ ctx: inout Context) { load(&ctx) }

    mutating func load(_ ctx: inout Context) {
        lastRefresh = now
        refreshRequest = nil
        awaiting = ctx.send(.data(Endpoints.order, order.id))
    }

    /// The order read again every `OrdersScreen.refreshSeconds` while nothing else is out or asked.
    public mutating func tick(_ now: Double, _ ctx: inout Context) {
        self.now = now
        guard awaiting == nil, refreshRequest == nil, cancelRequest == nil, !confirmingCancel else { return }
        guard let last = lastRefresh else { lastRefresh = now; return }
        if now - last < OrdersScreen.refreshSeconds { return }
        lastRefresh = now
        refreshRequest = ctx.send(.data(Endpoints.order, order.id))
    }

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
        refreshRequest = nil
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
        case .move(let move): list.move(move, rows: rows(ctx.area))
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
        if let result = refreshRequest.take(id, reply) {
            // Quiet: a failed refresh leaves the order as shown, and the next one tries again.
            if case .success(let fresh) = result { show(fresh) }
            return
        }
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
        // x is gone once a part has shipped: a question still on show is moot.
        if !cancellable { confirmingCancel = false }
    }

    /// One moment of the order's life, as the timeline shows it.
    public struct Event: Equatable, Sendable {
        /// nil where the order does not say when (it is confirmed when its payment is taken).
        public var date: Date?
        public var text: String
        public var role: ThemeRole
    }

    /// The order's life so far, oldest first, then the parts still to ship. Empty until the
    /// order is paid: before that, its status and the time it was placed say it all.
    public var timeline: [Event] {
        guard !order.shipments.isEmpty || order.refund != nil else { return [] }
        var events = [Event(date: order.createdAt, text: "Placed", role: .text),
                      Event(date: nil, text: "Paid and confirmed", role: .success)]
        let several = order.shipments.count > 1
        var moves: [Event] = []
        var waiting: [Event] = []
        for shipment in order.shipments {
            // Which part, where the order has several: after what matters (carrier, tracking number).
            let part = several ? ": " + partName(shipment, items: order.items) : ""
            if let shipped = shipment.shippedAt ?? (shipment.status == .pending ? nil : order.updatedAt) {
                var text = "Shipped"
                if let carrier = shipment.carrier { text += " via \(carrier)" }
                if let tracking = shipment.trackingNumber { text += ", tracking \(tracking)" }
                moves.append(Event(date: shipped, text: text + part, role: .success))
            } else if order.status != .cancelled {
                waiting.append(Event(date: nil, text: "To ship" + part, role: .muted))
            }
            if shipment.status == .delivered {
                moves.append(Event(date: shipment.deliveredAt ?? order.updatedAt, text: "Delivered" + part, role: .success))
            }
        }
        events += moves.sorted { ($0.date ?? .distantPast) < ($1.date ?? .distantPast) }
        if order.status == .cancelled {
            events.append(Event(date: order.updatedAt, text: "Cancelled", role: .error))
        }
        if let refund = order.refund {
            events.append(Event(date: refund.refundedAt, text: "Refunded \(refund.amount.display) (payment \(refund.transactionId.prefix(8)))", role: .success))
        }
        return events + waiting
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
        let itemRows = self.rows(area)
        let rows = Rect(x: area.x, y: y, width: nameWidth + 32, height: min(itemRows, order.items.count))
        list.draw(&frame, in: rows, glyphs: env.glyphs) { frame, index, start, y, chosen in
            let line = order.items[index]
            var lx = frame.write(TextWidth.pad(line.name, to: nameWidth, ellipsis: env.glyphs.ellipsis), x: start, y: y, role: chosen ? .selection : .text)
            lx = frame.write(TextWidth.pad("\(line.quantity) × \(line.price.display(fitting: 17 - TextWidth.of("\(line.quantity) × ")))", to: 18, alignRight: true), x: lx, y: y, role: chosen ? .selection : .muted)
            frame.write(TextWidth.pad(line.subtotal.display(fitting: 11), to: 12, alignRight: true), x: lx, y: y, role: chosen ? .selection : .price)
        }
        y += rows.height
        frame.write(TextWidth.pad("Total", to: nameWidth + 18, alignRight: true), x: x, y: y + 1, role: .heading)
        frame.write(TextWidth.pad(order.totalAmount.display(fitting: 11), to: 12, alignRight: true), x: x + nameWidth + 18, y: y + 1, role: .price)
        y += 3
        if let address = order.shippingAddress {
            frame.write("Ships to", x: x, y: y, role: .heading)
            frame.write("\(address.street), \(address.zip) \(address.city), \(address.country)", x: x + 10, y: y, role: .text, limit: area.maxX)
        }
        let shown = timelineRows(area)
        guard shown > 0 else { return }
        y += 2
        let events = timelineLines(area)
        // Where the window is short, the latest moments show, and the first row says how many lines are above.
        let first = events.count - shown
        for (row, event) in events[first...].enumerated() {
            if row == 0 && first > 0 {
                frame.write("\(first + 1) earlier lines", x: x, y: y, role: .muted)
            } else {
                if let date = event.date { frame.write(formatDate(date), x: x, y: y, role: .muted) }
                frame.write(event.text, x: x + 18, y: y, role: event.role, limit: area.maxX - 1)
            }
            y += 1
        }
    }
}

/// A vendor's part of an order named by the vendor's name where the order knows it, else
/// (the catalog could not name them when the order was made) by what is in it
/// ("Tetsubin Teapot + 2 more").
func partName(_ shipment: Shipment, items: [LineItem]) -> String {
    if let name = shipment.vendorName { return name }
    let lines = items.filter { $0.vendorId == shipment.vendorId }
    guard let first = lines.first else { return "vendor \(shipment.vendorId.prefix(8))" }
    return first.name + (lines.count > 1 ? " + \(lines.count - 1) more" : "")
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
