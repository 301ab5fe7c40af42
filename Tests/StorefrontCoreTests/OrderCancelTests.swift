import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// Signed in as Ann, on the detail of her first order (given `status`) opened from
/// the orders list, the order's reload answered.
func orderDetailModel(_ status: OrderStatus = .confirmed, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    var orders = fixtureOrders()
    orders[0].status = status
    let (list, asked) = run(browsingModel(size: size, glyphs: glyphs), keys("o"))
    let page = PageEnvelope(data: orders, pagination: Pagination(page: 1, limit: 50, total: orders.count))
    let loaded = run(list, [.reply(asked.compactMap(\.sentRequest)[0].0, .success(page))]).0
    let (detail, reload) = run(loaded, [key(.enter)])
    return run(detail, [.reply(reload.compactMap(\.sentRequest)[0].0, .success(orders[0]))]).0
}

@Suite("update: cancelling an order")
struct OrderCancelTests {
    let order = fixtureOrders()[0]

    /// The status row and the key bar, the last two rows of the frame.
    func bottom(_ model: Model) -> (status: String, keys: String) {
        let rows = view(model).text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (rows[rows.count - 2], rows[rows.count - 1])
    }

    func detail(_ model: Model) throws -> OrderDetailScreen { try #require(model.screen as? OrderDetailScreen) }

    /// x then y: the model and the cancellation sent.
    func confirmed(_ model: Model) throws -> (Model, RequestID, AnyRequest) {
        let (sent, commands) = run(model, keys("xy"))
        let request = try #require(commands.compactMap(\.sentRequest).first)
        return (sent, request.0, request.1)
    }

    static let connectivity: [APIError] = [
        .unreachable(server: "http://127.0.0.1:9", reason: "connection refused"),
        .timedOut(server: "http://127.0.0.1:9", seconds: 30),
        .server(code: .unavailable, message: "The payment service did not answer", fieldErrors: []),
    ]

    @Test(arguments: OrderStatus.allCases)
    func xIsInTheKeyBarAndHelpOnlyWhileTheOrderCanBeCancelled(_ status: OrderStatus) throws {
        let model = orderDetailModel(status)
        let allowed = status == .pending || status == .confirmed
        #expect(try detail(model).keyHelp.contains { $0.keys == "x" } == allowed)
        #expect(bottom(model).keys.contains("x cancel order") == allowed, "\(bottom(model).keys)")
        let help = run(model, keys("?")).0
        #expect(help.overlay == .help)
        #expect(HelpOverlay(help).lines.contains { if case .key("x", _) = $0 { true } else { false } } == allowed)
        // Where it is not offered, x does nothing at all.
        let (pressed, commands) = run(model, keys("x"))
        #expect(try detail(pressed).confirmingCancel == allowed)
        #expect(commands.isEmpty)
    }

    @Test func xAsksFirstAndAnyOtherKeyKeepsTheOrder() throws {
        let (asking, none) = run(orderDetailModel(), keys("x"))
        #expect(none.isEmpty, "nothing is sent before the shopper says yes")
        #expect(bottom(asking).status.contains("Cancel order 3cd0cfbe and refund $154.49? y/n"))
        #expect(asking.screen.status?.role == .warning)
        for other in [Key.char("n"), .escape, .char("x"), .enter, .char("q")] {
            let (kept, commands) = run(asking, [key(other)])
            #expect(commands.isEmpty, "\(other)")
            #expect(kept.screen is OrderDetailScreen && !kept.quitting, "\(other) only answers the question")
            #expect(try detail(kept).confirmingCancel == false)
            #expect(try detail(kept).order.status == .confirmed)
        }
    }

    @Test func yCancelsWithAnIdempotencyKeyAndTheOrderShowsCancelled() throws {
        let (sending, id, request) = try confirmed(orderDetailModel())
        #expect(request.calls(Endpoints.cancelOrder))
        #expect(request.description == "POST /api/orders/3cd0cfbe-1d80-440a-8547-917bd90731e3/cancel")
        let sentKey = try #require(request.header("Idempotency-Key"))
        #expect(InputRules.isIdempotencyKey(sentKey) && sentKey.hasPrefix("storefront-cancel-3cd0cfbe"))
        #expect(request == AnyRequest(OrderDetailScreen.cancel(order.id, idempotencyKey: sentKey)))
        #expect(view(sending).text().contains("Cancelling order 3cd0cfbe and refunding $154.49…"))
        var cancelled = order
        cancelled.status = .cancelled
        let done = run(sending, [.reply(id, .success(cancelled))]).0
        #expect(try detail(done).order.status == .cancelled)
        let text = view(done).text()
        #expect(text.contains("Order 3cd0cfbe-1d80-440a-8547-917bd90731e3  Cancelled"))
        #expect(bottom(done).status.contains("Order 3cd0cfbe is cancelled and $154.49 refunded."))
        #expect(done.notice?.role == .success)
        #expect(!bottom(done).keys.contains("x cancel"), "a cancelled order cannot be cancelled again")
        // Back on the list, the orders are read again, so it shows the new status.
        let (list, reload) = run(done, [key(.escape)])
        #expect(list.screen is OrdersScreen)
        #expect(reload.compactMap(\.sentRequest).map(\.1) == [AnyRequest(OrdersScreen.page(1))])
        var orders = fixtureOrders()
        orders[0] = cancelled
        let page = PageEnvelope(data: orders, pagination: Pagination(page: 1, limit: 50, total: 2))
        let listed = run(list, [.reply(reload.compactMap(\.sentRequest)[0].0, .success(page))]).0
        let row = view(listed).text().split(separator: "\n").first { $0.contains("▶") } ?? ""
        #expect(row.contains("3cd0cfbe") && row.contains("Cancelled"))
    }

    @Test func eachConfirmationMakesItsOwnKeyAndARetrySendsTheSameOne() throws {
        let (first, id, request) = try confirmed(orderDetailModel())
        let firstKey = try #require(request.header("Idempotency-Key"))
        let failed = run(first, [.reply(id, .failure(Self.connectivity[0]))]).0
        let (_, retry) = run(failed, keys("r"))
        #expect(retry.compactMap(\.sentRequest).first?.1.header("Idempotency-Key") == firstKey, "r sends the same cancellation again")
        let (_, _, again) = try confirmed(failed)
        let second = try #require(again.header("Idempotency-Key"))
        #expect(second != firstKey, "a new confirmation is a new request")
        #expect(InputRules.isIdempotencyKey(second))
    }

    @Test func aShippedOrderIsToldInWordsAndReloaded() throws {
        let (sending, id, _) = try confirmed(orderDetailModel())
        let refusal = APIError.server(code: .orderNotCancellable, message: "The order can no longer be cancelled: shipped", fieldErrors: [])
        let (refused, reload) = run(sending, [.reply(id, .failure(refusal))])
        #expect(bottom(refused).status.contains("Order 3cd0cfbe can no longer be cancelled: a part of it has shipped."))
        #expect(refused.screen.status?.role == .error)
        let asked = try #require(reload.compactMap(\.sentRequest).first)
        #expect(asked.1 == AnyRequest(.data(Endpoints.order, order.id)))
        var shipped = order
        shipped.status = .shipped
        let shown = run(refused, [.reply(asked.0, .success(shipped))]).0
        #expect(view(shown).text().contains("Shipped"))
        #expect(!bottom(shown).keys.contains("x cancel"))
        #expect(bottom(shown).status.contains("can no longer be cancelled"), "the reason stays after the reload")
        #expect(run(shown, keys("x")).1.isEmpty)
    }

    @Test func aCancellationAlreadyUnderWayIsToldAndRReloads() throws {
        let (sending, id, _) = try confirmed(orderDetailModel())
        let busy = APIError.server(code: .cancellationInProgress, message: "Another request is cancelling this order", fieldErrors: [])
        let (told, first) = run(sending, [.reply(id, .failure(busy))])
        #expect(bottom(told).status.contains("Order 3cd0cfbe is being cancelled already. Press r to see how it stands."))
        #expect(first.compactMap(\.sentRequest).map(\.1) == [AnyRequest(.data(Endpoints.order, order.id))])
        #expect(bottom(told).keys.contains("r reload"))
        let (reloading, again) = run(told, keys("r"))
        #expect(again.compactMap(\.sentRequest).map(\.1) == [AnyRequest(.data(Endpoints.order, order.id))], "r reloads; it does not cancel again")
        var cancelled = order
        cancelled.status = .cancelled
        let shown = run(reloading, [.reply(again.compactMap(\.sentRequest)[0].0, .success(cancelled))]).0
        #expect(view(shown).text().contains("Cancelled"))
        #expect(!bottom(shown).keys.contains("x cancel"))
    }

    @Test(arguments: connectivity)
    func aConnectivityFailureOffersRToRetry(_ failure: APIError) throws {
        let (sending, id, request) = try confirmed(orderDetailModel())
        let (failed, none) = run(sending, [.reply(id, .failure(failure))])
        #expect(none.isEmpty)
        #expect(failed.screen.status == failure.statusText(retryKey: "r"))
        #expect(bottom(failed).status.contains(failure.message) || bottom(failed).status.hasSuffix("…"))
        #expect(bottom(failed).keys.contains("r retry cancel"))
        #expect(try detail(failed).order.status == .confirmed)
        let (retrying, retry) = run(failed, keys("r"))
        let sent = try #require(retry.compactMap(\.sentRequest).first)
        #expect(sent.1 == request, "the same call with the same key")
        var cancelled = order
        cancelled.status = .cancelled
        let done = run(retrying, [.reply(sent.0, .success(cancelled))]).0
        #expect(bottom(done).status.contains("is cancelled and $154.49 refunded"))
        #expect(bottom(done).keys.contains("r reload"))
    }

    @Test func otherRefusalsShowTheServersWordsWithoutARetry() throws {
        let (sending, id, _) = try confirmed(orderDetailModel())
        let missing = APIError.server(code: .notFound, message: "Order not found", fieldErrors: [])
        let (failed, none) = run(sending, [.reply(id, .failure(missing))])
        #expect(none.isEmpty)
        #expect(bottom(failed).status.contains("Order not found.") && !bottom(failed).status.contains("retry"))
        #expect(bottom(failed).keys.contains("r reload"))
        #expect(run(failed, keys("r")).1.compactMap(\.sentRequest).map(\.1) == [AnyRequest(.data(Endpoints.order, order.id))])
    }

    @Test func aReloadAnsweredAfterTheCancellationWasSentIsIgnored() throws {
        // The detail's own reload is still out when the shopper confirms.
        var orders = fixtureOrders()
        orders[0].status = .confirmed
        let (list, asked) = run(browsingModel(), keys("o"))
        let loaded = run(list, [.reply(asked.compactMap(\.sentRequest)[0].0,
                                       .success(PageEnvelope(data: orders, pagination: Pagination(page: 1, limit: 50, total: 2))))]).0
        let (opened, reload) = run(loaded, [key(.enter)])
        let (sending, id, _) = try confirmed(opened)
        var cancelled = order
        cancelled.status = .cancelled
        let done = run(sending, [.reply(id, .success(cancelled)), .reply(reload.compactMap(\.sentRequest)[0].0, .success(orders[0]))]).0
        #expect(try detail(done).order.status == .cancelled)
    }

    @Test func whileTheCancellationIsOutXAndRWait() throws {
        let (sending, _, _) = try confirmed(orderDetailModel())
        let (pressed, commands) = run(sending, keys("xry"))
        #expect(commands.isEmpty)
        #expect(try detail(pressed).confirmingCancel == false)
    }
}
