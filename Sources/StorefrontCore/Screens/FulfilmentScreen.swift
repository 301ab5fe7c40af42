import MarketplaceAPI

/// Orders after checkout, for those who fulfil them (`GET /api/orders/fulfilment`),
/// newest first. A vendor sees "Orders to ship": each order with their own lines and
/// their part; s ships it (carrier and tracking number, both optional) and D marks it
/// delivered. An admin sees every order with every part, and may cancel one (x,
/// asking first; the shopper's own request, with an idempotency key). Both filter by
/// the order's status (f), and the list pages, scrolls and refreshes like Low stock.
/// The selected order's address, lines and parts show below the list.
public struct FulfilmentScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), ship, deliver, cancel, filter, reload, search, clearSearch }

    public static let refreshSeconds = 5.0
    public static let pageSize = 50

    /// Every order for an admin (known on appearing), else the vendor's own part of each.
    public var isAdmin = false
    /// The order status shown; nil for all.
    public var filter: OrderStatus?
    public var orders: [FulfilmentOrder] = []
    /// Rows by page as last read; `orders` is them in order, each order once.
    var pages: [Int: [FulfilmentOrder]] = [:]
    var pageRequests: [Pending<PageEnvelope<FulfilmentOrder>>: Int] = [:]
    var total = 0
    public var list = List()
    public var loaded = false
    /// Why the list could not be read.
    public var failure: APIError?
    /// Why the last ship, delivery or cancellation did not happen, in words.
    public var problem: StatusText?
    public var shipPrompt: ShipPrompt?
    /// x asks once; y cancels.
    public var confirmingCancel = false
    /// A ship or a delivery out, and for which order.
    var partRequest: Pending<FulfilmentOrder>?
    var partAction: (orderID: String, shipping: Bool)?
    var cancelRequest: Pending<Order>?
    /// The order the cancellation out is for.
    var cancelOrderID = ""
    /// Confirmations so far: each makes a cancellation key of its own.
    var confirmations = 0
    var lastRefresh: Double?
    /// The clock at the last tick; nil before the first.
    var now: Double?

    /// `/`: the loaded orders narrowed by id, status, part, item names or city.
    public var search = RowFilter()

    public init() {}

    public var title: String { isAdmin ? "All orders" : "Orders to ship" }
    public var capturesText: Bool { shipPrompt != nil || search.isEditing }
    public var hasUnsavedInput: Bool { shipPrompt.map { !$0.carrier.isEmpty || !$0.tracking.isEmpty } ?? false }

    /// The filters f steps through: all, then each status a row can have.
    public var filters: [OrderStatus?] {
        isAdmin ? [nil] + OrderStatus.allCases.map(Optional.some) : [nil, .confirmed, .shipped, .delivered, .cancelled]
    }

    public var busyLabel: String? {
        if let partAction { return partAction.shipping ? "Shipping order \(partAction.orderID.prefix(8))…" : "Marking order \(partAction.orderID.prefix(8)) delivered…" }
        if cancelRequest != nil { return "Cancelling order \(cancelOrderID.prefix(8)) and refunding it…" }
        if !pageRequests.isEmpty && !loaded { return isAdmin ? "Loading orders…" : "Loading orders to ship…" }
        if pageRequests.values.contains(where: { $0 > pages.count }) { return "Loading more…" }
        return nil
    }

    var hasMore: Bool { pages.count * Self.pageSize < total }

    var selected: FulfilmentOrder? { list.selection.map { orders[shown[$0]] } }

    /// The positions in `orders` of the rows on show.
    var shown: [Int] {
        search.indices(orders) { order in
            [order.orderId, order.status.rawValue, partColumn(order), order.shippingAddress?.city ?? ""] + order.items.map(\.name)
        }
    }

    /// The list again after the rows on show changed, the same order selected while it still shows.
    mutating func relist(selecting id: String?, _ area: Rect) {
        let shown = self.shown
        list.reset(count: shown.count, total: search.isActive ? nil : max(total, orders.count))
        if let index = id.flatMap({ id in shown.firstIndex { orders[$0].orderId == id } }) { list.select(index, rows: rows(area)) }
    }

    public var status: StatusText? {
        if confirmingCancel, let order = selected {
            return StatusText("Cancel order \(order.orderId.prefix(8)) and refund the shopper \(Self.paid(order).display)? y/n", role: .warning)
        }
        if let prompt = shipPrompt, let order = selected {
            return prompt.error.map { StatusText($0, role: .error) }
                ?? StatusText("Ship your part of order \(order.orderId.prefix(8)): carrier and tracking number may stay blank.", role: .muted)
        }
        if let problem { return problem }
        return failure.map { Self.describe($0) }
    }

    var keymap: Keymap<Action> {
        var bindings = List.bindings("order", loadsMore: true, Action.move)
        if isAdmin {
            bindings.append(KeyBinding([.char("x")], KeyHelp("x", "cancel order", long: "cancel the selected order and refund it (asks first; only until a part ships)", primary: true), .cancel))
        } else {
            bindings.append(KeyBinding([.char("s")], KeyHelp("s", "ship", long: "ship your part of the selected order: carrier and tracking number, both optional", primary: true), .ship))
            bindings.append(KeyBinding([.char("D")], KeyHelp("D", "delivered", long: "mark your shipped part of the selected order delivered"), .deliver))
        }
        bindings.append(KeyBinding([.char("f")], KeyHelp("f", "status", long: "show orders of one status: " +
                                                          filters.map { $0?.rawValue ?? "all" }.joined(separator: ", ") + ", in turn"), .filter))
        bindings.append(KeyBinding([.char("r")], KeyHelp("r", "refresh", long: "refresh now (it also refreshes every \(Int(Self.refreshSeconds)) s)", inBar: false), .reload))
        // A filter in force: its Esc outlasts / in a short bar.
        if search.isActive { bindings.append(KeyBinding([.escape], RowFilter.clearHelp, .clearSearch)) }
        bindings.append(KeyBinding([.char("/")], RowFilter.help, .search))
        return Keymap(bindings)
    }

    public var keyHelp: [KeyHelp] { shipPrompt?.keyHelp ?? (search.isEditing ? search.keyHelp : keymap.help) }

    public mutating func appear(_ ctx: inout Context) {
        isAdmin = ctx.session?.user.role == .admin
        refresh(&ctx)
    }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    /// One page of the list, `pageSize` orders, of one status or all.
    public static func page(_ number: Int, status: OrderStatus? = nil) -> Request<PageEnvelope<FulfilmentOrder>> {
        .call(Endpoints.fulfilment, query: (status.map { "status=\($0.rawValue)&" } ?? "") + "page=\(number)&limit=\(pageSize)")
    }

    /// Ships the caller's part of an order (an admin names the vendor).
    public static func ship(_ orderID: String, carrier: String?, trackingNumber: String?, vendorID: String? = nil) -> Request<FulfilmentOrder> {
        .data(Endpoints.shipOrder, orderID, body: ShipOrderRequest(carrier: carrier, trackingNumber: trackingNumber, vendorId: vendorID))
    }

    /// Marks the caller's shipped part of an order delivered.
    public static func deliver(_ orderID: String, vendorID: String? = nil) -> Request<FulfilmentOrder> {
        .data(Endpoints.deliverOrder, orderID, body: DeliverOrderRequest(vendorId: vendorID))
    }

    /// Every page loaded so far, read again.
    mutating func refresh(_ ctx: inout Context) {
        failure = nil
        lastRefresh = now
        for page in 1...max(1, pages.count) { pageRequests[ctx.send(Self.page(page, status: filter))] = page }
    }

    mutating func loadMore(_ ctx: inout Context) {
        guard hasMore, pageRequests.isEmpty else { return }
        pageRequests[ctx.send(Self.page(pages.count + 1, status: filter))] = pages.count + 1
    }

    public mutating func tick(_ now: Double, _ ctx: inout Context) {
        self.now = now
        guard pageRequests.isEmpty, partRequest == nil, cancelRequest == nil, shipPrompt == nil, !confirmingCancel else { return }
        // Read before the clock was known: the count starts now.
        guard let last = lastRefresh else { lastRefresh = now; return }
        if now - last < Self.refreshSeconds { return }
        refresh(&ctx)
    }

    /// The rows of the list, between its heading and the pane of the selected order.
    static func rows(_ area: Rect, admin: Bool) -> Int { max(1, area.height - 3 - paneHeight(admin: admin) - 1) }
    func rows(_ area: Rect) -> Int { Self.rows(area, admin: isAdmin) }

    /// The selected order's address, lines and part (a vendor), or parts (an admin, two at most).
    static func paneHeight(admin: Bool) -> Int { admin ? 4 : 3 }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if search.isEditing {
            let id = selected?.orderId
            if search.handle(key) {
                list = List()
                relist(selecting: id, ctx.area)
            }
            return true
        }
        if confirmingCancel {
            confirmingCancel = false
            if key == .char("y"), let order = selected, Self.cancellable(order) { sendCancel(order, &ctx) }
            return true
        }
        if var prompt = shipPrompt {
            switch prompt.handle(key) {
            case .stay: shipPrompt = prompt
            case .cancelled: shipPrompt = nil
            case .ship(let carrier, let tracking):
                shipPrompt = nil
                if let order = selected {
                    problem = nil
                    partAction = (order.orderId, true)
                    partRequest = ctx.send(Self.ship(order.orderId, carrier: carrier, trackingNumber: tracking))
                }
            }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move):
            list.move(move, rows: rows(ctx.area))
            if list.isAtEnd { loadMore(&ctx) }
        case .ship:
            guard let order = selected, partRequest == nil else { break }
            problem = Self.notShippable(order)
            if problem == nil { shipPrompt = ShipPrompt() }
        case .deliver:
            guard let order = selected, partRequest == nil else { break }
            problem = Self.notDeliverable(order)
            if problem == nil {
                partAction = (order.orderId, false)
                partRequest = ctx.send(Self.deliver(order.orderId))
            }
        case .cancel:
            guard let order = selected, cancelRequest == nil else { break }
            if Self.cancellable(order) {
                problem = nil
                confirmingCancel = true
            } else {
                problem = StatusText("Order \(order.orderId.prefix(8)) cannot be cancelled: it is \(order.status.rawValue)" +
                                     (order.status == .cancelled ? "." : ", and only an order none of whose parts has shipped can be."), role: .warning)
            }
        case .filter:
            let all = filters
            let next = ((all.firstIndex { $0 == filter } ?? 0) + 1) % all.count
            filter = all[next]
            // The old filter's pages, and any answer still out for them, are gone.
            pages = [:]
            pageRequests = [:]
            orders = []
            total = 0
            loaded = false
            problem = nil
            list = List()
            refresh(&ctx)
        case .reload:
            problem = nil
            refresh(&ctx)
        case .search: search.start()
        case .clearSearch:
            let id = selected?.orderId
            if search.clear() {
                list = List()
                relist(selecting: id, ctx.area)
            }
        }
        return true
    }

    public mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context) {
        guard shipPrompt == nil, let index = list.index(atRow: y - (area.y + 2), rows: rows(area)) else { return }
        list.select(index, rows: rows(area))
        if list.isAtEnd { loadMore(&ctx) }
    }

    // MARK: What may be done with an order

    /// Why the vendor's part cannot ship, or nil when it can.
    static func notShippable(_ order: FulfilmentOrder) -> StatusText? {
        let id = order.orderId.prefix(8)
        switch (order.status, order.shipment?.status) {
        case (.confirmed, .pending?): return nil
        case (_, .shipped?), (_, .delivered?): return StatusText("Your part of order \(id) has shipped already.", role: .warning)
        case (.pending, _): return StatusText("Order \(id) is not paid yet: it ships once it is Confirmed.", role: .warning)
        case (.cancelled, _): return StatusText("Order \(id) is cancelled: there is nothing to ship.", role: .warning)
        default: return StatusText("Order \(id) has no part of yours to ship.", role: .warning)
        }
    }

    /// Why the vendor's part cannot be marked delivered, or nil when it can.
    static func notDeliverable(_ order: FulfilmentOrder) -> StatusText? {
        let id = order.orderId.prefix(8)
        switch order.shipment?.status {
        case .shipped?: return nil
        case .delivered?: return StatusText("Your part of order \(id) is delivered already.", role: .warning)
        default: return StatusText("Only a shipped part can be marked delivered: ship your part of order \(id) first (s).", role: .warning)
        }
    }

    /// The server cancels an order while it is Pending or Confirmed and no part of it has shipped.
    static func cancellable(_ order: FulfilmentOrder) -> Bool {
        (order.status == .pending || order.status == .confirmed) &&
            !(order.shipments ?? []).contains { $0.status != .pending } && order.shipment.map { $0.status == .pending } ?? true
    }

    /// What the shopper paid: the order's lines (an admin sees them all).
    static func paid(_ order: FulfilmentOrder) -> Money { order.items.reduce(Money.zero) { $0 + $1.subtotal } }

    mutating func sendCancel(_ order: FulfilmentOrder, _ ctx: inout Context) {
        confirmations += 1
        let key = IdempotencyKey.make("storefront-cancel-\(order.orderId.prefix(40))",
                                      [order.orderId, order.status.rawValue, "admin", String(confirmations)])
        problem = nil
        cancelOrderID = order.orderId
        cancelRequest = ctx.send(OrderDetailScreen.cancel(order.orderId, idempotencyKey: key))
    }

    // MARK: Answers

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let (request, number) = pageRequests.first(where: { $0.key.id == id }), let result = request.result(id, reply) {
            pageRequests[request] = nil
            switch result {
            case .success(let page): read(page, number, &ctx)
            case .failure(let error): failure = error
            }
        } else if let result = partRequest.take(id, reply) {
            let action = partAction
            partAction = nil
            switch result {
            case .success(let fresh):
                replace(fresh)
                let part = fresh.shipment
                if action?.shipping ?? true {
                    var text = "Order \(fresh.orderId.prefix(8)): your part is shipped"
                    if let carrier = part?.carrier { text += " via \(carrier)" }
                    if let tracking = part?.trackingNumber { text += ", tracking \(tracking)" }
                    ctx.notify(text + ".")
                } else {
                    ctx.notify("Order \(fresh.orderId.prefix(8)): your part is delivered.")
                }
                refresh(&ctx)
            case .failure(let error):
                problem = Self.refusal(error, orderID: action?.orderID ?? "", shipping: action?.shipping ?? true)
                // The order moved meanwhile (cancelled, shipped from elsewhere): show it as it stands.
                if error.code == .shipmentNotAllowed || error.code == .orderNotShippable || error.code == .notFound { refresh(&ctx) }
            }
        } else if let result = cancelRequest.take(id, reply) {
            switch result {
            case .success(let order):
                ctx.notify("Order \(order.id.prefix(8)) is cancelled and \(order.totalAmount.display) refunded.")
                refresh(&ctx)
            case .failure(let error):
                problem = Self.cancelRefusal(error, orderID: cancelOrderID)
                if error.code == .orderNotCancellable || error.code == .cancellationInProgress { refresh(&ctx) }
            }
        }
    }

    /// A page read: the same order stays selected as rows move.
    mutating func read(_ page: PageEnvelope<FulfilmentOrder>, _ number: Int, _ ctx: inout Context) {
        loaded = true
        let selectedID = selected?.orderId
        pages[number] = page.data
        total = page.pagination.total
        // Pages past the end (orders that left the filter) are gone.
        let last = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        pages = pages.filter { $0.key <= last }
        var seen = Set<String>()
        orders = pages.keys.sorted().flatMap { pages[$0]! }.filter { seen.insert($0.orderId).inserted }
        relist(selecting: selectedID, ctx.area)
    }

    /// An order as the server answered a ship or a delivery, in place of the row.
    mutating func replace(_ fresh: FulfilmentOrder) {
        for (number, rows) in pages {
            pages[number] = rows.map { $0.orderId == fresh.orderId ? fresh : $0 }
        }
        orders = orders.map { $0.orderId == fresh.orderId ? fresh : $0 }
    }

    // MARK: Words for failures, by code

    /// A failure to read the list.
    static func describe(_ error: APIError) -> StatusText {
        // Not reached, or not readable: the client's own words.
        guard case .server(let code, _, _) = error else { return error.statusText(retryKey: "r") }
        switch code {
        case _ where error.isConnectivity: return StatusText("The shop did not answer in time (\(code.rawValue)). Press r to try again.", role: .error)
        case .forbidden: return StatusText("Only vendors and admins see the orders to ship.", role: .error)
        case .validationFailed, .malformedRequest: return StatusText("The server would not read this list (\(code.rawValue)).", role: .error)
        default: return StatusText("The orders could not be read (\(code.rawValue)). Press r to try again.", role: .error)
        }
    }

    static func connectivity(_ error: APIError) -> StatusText? {
        guard error.isConnectivity else { return nil }
        if case .server = error { return StatusText("The shop could not finish that now (\(error.code?.rawValue ?? "")). Press r to refresh, then try again.", role: .error) }
        return StatusText(error.message + " Press r to refresh, then try again.", role: .error)
    }

    /// Why a ship or a delivery did not happen.
    static func refusal(_ error: APIError, orderID: String, shipping: Bool) -> StatusText {
        if let text = connectivity(error) { return text }
        let id = orderID.prefix(8)
        switch error.code {
        case .shipmentNotAllowed?:
            return StatusText(shipping ? "Your part of order \(id) has shipped already." : "Your part of order \(id) is not shipped, so it cannot be marked delivered.", role: .error)
        case .orderNotShippable?:
            return StatusText("Order \(id) is not Confirmed (cancelled, unpaid or delivered): nothing of it can \(shipping ? "ship" : "be delivered") now.", role: .error)
        case .validationFailed?:
            let fields = error.fieldErrors.map(\.field).joined(separator: ", ")
            return StatusText("The server would not take \(fields.isEmpty ? "the part's details" : fields): check the carrier and tracking number.", role: .error)
        case .notFound?: return StatusText("Order \(id) has no part of yours any more.", role: .error)
        case .forbidden?: return StatusText("This account may not \(shipping ? "ship" : "deliver") order \(id).", role: .error)
        case let code?: return StatusText("Order \(id) could not \(shipping ? "ship" : "be marked delivered") (\(code.rawValue)).", role: .error)
        case nil: return error.statusText(retryKey: "r")
        }
    }

    /// Why a cancellation did not happen.
    static func cancelRefusal(_ error: APIError, orderID: String) -> StatusText {
        if let text = connectivity(error) { return text }
        let id = orderID.prefix(8)
        switch error.code {
        case .orderNotCancellable?: return StatusText("Order \(id) can no longer be cancelled: a part of it has shipped.", role: .error)
        case .cancellationInProgress?: return StatusText("Order \(id) is being cancelled already.", role: .warning)
        case .notFound?: return StatusText("Order \(id) is not there any more.", role: .error)
        case .forbidden?: return StatusText("This account may not cancel order \(id).", role: .error)
        case let code?: return StatusText("Order \(id) could not be cancelled (\(code.rawValue)).", role: .error)
        case nil: return error.statusText(retryKey: "r")
        }
    }

    // MARK: Drawing

    /// A part in a few words: "Shipped via DHL, tracking 1Z…", "To ship".
    static func describe(_ part: Shipment, dated: Bool = true) -> String {
        var text: String
        switch part.status {
        case .pending: return "To ship"
        case .shipped: text = "Shipped"
        case .delivered: text = "Delivered"
        }
        if dated, let date = part.status == .delivered ? part.deliveredAt : part.shippedAt { text += " " + formatDate(date) }
        if let carrier = part.carrier { text += " via \(carrier)" }
        if let tracking = part.trackingNumber { text += ", tracking \(tracking)" }
        return text
    }

    /// The part column: the vendor's part's status, or how many of the order's parts have shipped.
    func partColumn(_ order: FulfilmentOrder) -> String {
        // A part never shipped of a cancelled order will not ship.
        if order.status == .cancelled && order.shipment?.status ?? .pending == .pending { return "—" }
        if isAdmin {
            let parts = order.shipments ?? []
            guard !parts.isEmpty else { return "—" }
            return "\(parts.filter { $0.status != .pending }.count)/\(parts.count) sent"
        }
        switch order.shipment?.status {
        case .pending?: return "To ship"
        case let status?: return status.rawValue
        case nil: return "—"
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let x = area.x + 1
        let width = min(area.width - 2, 110)
        // A compact window leaves out the order number (the pane below shows it).
        let idWidth = area.width >= 78 ? 10 : 0
        let fixed = 2 + 18 + idWidth + 11 + 12 + 6
        let cityWidth = max(0, width - fixed - 2)
        frame.write("  " + TextWidth.pad("Placed (UTC)", to: 18) + TextWidth.pad(idWidth > 0 ? "Order" : "", to: idWidth) + TextWidth.pad("Status", to: 11) +
                    TextWidth.pad("Part", to: 12) + TextWidth.pad("Items", to: 6, alignRight: true) + (cityWidth > 0 ? "  " + TextWidth.pad("City", to: cityWidth) : ""),
                    x: x, y: area.y, role: .heading, limit: area.maxX)
        let afterStatus = frame.write("Status: " + (filter?.rawValue ?? "all") + " (f)", x: x + 2, y: area.y + 1, role: .muted)
        search.draw(&frame, x: afterStatus + 3, y: area.y + 1, width: x + width - afterStatus - 3 - 10, glyphs: env.glyphs)
        list.drawPosition(&frame, right: x + width, y: area.y + 1)
        if loaded && orders.isEmpty {
            let none = filter.map { "No \($0.rawValue) orders." } ?? (isAdmin ? "No orders yet." : "No orders of your products yet.")
            frame.write(none + (filter == nil ? "" : " f shows another status."), x: x + 2, y: area.y + 2, role: .muted, limit: area.maxX)
        }
        let shown = self.shown
        if shown.isEmpty && !orders.isEmpty {
            frame.write("No order loaded matches the filter. Esc clears it.", x: x + 2, y: area.y + 2, role: .muted, limit: area.maxX)
        }
        let listRows = rows(area)
        list.draw(&frame, in: Rect(x: x, y: area.y + 2, width: width, height: listRows), glyphs: env.glyphs) { frame, index, start, y, chosen in
            let order = orders[shown[index]]
            let count = order.items.reduce(0) { $0 + $1.quantity }
            var cx = frame.write(TextWidth.pad(formatDate(order.placedAt), to: 18), x: start, y: y, role: chosen ? .selection : .text)
            if idWidth > 0 { cx = frame.write(TextWidth.pad(String(order.orderId.prefix(8)), to: idWidth), x: cx, y: y, role: chosen ? .selection : .muted) }
            cx = frame.write(TextWidth.pad(order.status.rawValue, to: 11), x: cx, y: y, role: chosen ? .selection : statusRole(order.status))
            let part = partColumn(order)
            cx = frame.write(TextWidth.pad(part, to: 12), x: cx, y: y, role: chosen ? .selection : part == "To ship" ? .warning : .text)
            cx = frame.write(TextWidth.pad(String(count), to: 6, alignRight: true), x: cx, y: y, role: chosen ? .selection : .text)
            if cityWidth > 0, let city = order.shippingAddress?.city {
                frame.write("  " + TextWidth.pad(city, to: cityWidth, ellipsis: env.glyphs.ellipsis), x: cx, y: y, role: chosen ? .selection : .muted)
            }
        }
        drawPane(&frame, area, env)
        if let shipPrompt {
            shipPrompt.draw(&frame, x: x + 1, y: area.maxY - 1, width: min(area.width - 4, 90), glyphs: env.glyphs)
        }
    }

    /// The selected order: where it goes, what is in it, how its part (or parts) stand.
    func drawPane(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        guard let order = selected else { return }
        let x = area.x + 2
        var y = area.maxY - 1 - Self.paneHeight(admin: isAdmin)
        let limit = area.maxX - 1
        func line(_ label: String, _ text: String, role: ThemeRole = .text) {
            frame.write(TextWidth.pad(label, to: 10), x: x, y: y, role: .heading)
            frame.write(text, x: x + 10, y: y, role: role, limit: limit)
            y += 1
        }
        let address = order.shippingAddress.map { "\($0.street), \($0.zip) \($0.city), \($0.country)" } ?? "no address"
        line(String(order.orderId.prefix(8)), address)
        line("Lines", order.items.map { "\($0.quantity) × \($0.name)" }.joined(separator: ", "))
        if isAdmin {
            let parts = order.shipments ?? []
            if parts.isEmpty { line("Parts", "none yet: parts are made when the order is paid", role: .muted) }
            for (index, part) in parts.prefix(2).enumerated() {
                if index == 1 && parts.count > 2 {
                    let sent = parts.dropFirst().filter { $0.status != .pending }.count
                    line("", "and \(parts.count - 1) more parts, \(sent) of them sent", role: .muted)
                } else {
                    line(index == 0 ? "Parts" : "", TextWidth.truncate(partName(part, items: order.items), to: 20, ellipsis: env.glyphs.ellipsis) + ": " +
                         Self.describe(part, dated: false),
                         role: part.status == .pending ? .warning : .success)
                }
            }
        } else if let part = order.shipment {
            if order.status == .cancelled && part.status == .pending {
                line("Your part", "not to ship: the order is cancelled", role: .muted)
            } else {
                line("Your part", Self.describe(part), role: part.status == .pending ? .warning : .success)
            }
        } else {
            line("Your part", "none", role: .muted)
        }
    }
}
