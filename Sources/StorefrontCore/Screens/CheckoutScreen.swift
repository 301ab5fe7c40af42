import Foundation
import MarketplaceAPI

/// Shipping address (a saved one or typed), payment method, confirm; then the
/// order and transaction ids, or in words why the order did not go through.
/// A typed address can also be saved to the profile once the order is placed.
public struct CheckoutScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case saved, street, city, zip, country, payment, saveAddress, place, back }

    /// The sandbox provider follows Stripe's test tokens.
    public static let paymentMethods: [(value: String, label: String)] = [
        ("tok_visa", "test card that succeeds (tok_visa)"),
        ("tok_chargeDeclined", "test card that is declined (tok_chargeDeclined)"),
        ("Credit Card", "Credit Card"),
    ]

    /// The address fields, their labels and what a shipping address needs of each, in screen order.
    static let addressFields: [(Focus, String, InputRules.AddressField)] = [
        (.street, "Street", .street), (.city, "City", .city), (.zip, "Postal code", .zip), (.country, "Country", .country),
    ]

    public var cart: Cart
    public var addresses: [Address] = []
    /// The saved address in use; nil while typing a new one.
    public var savedIndex: Int?
    public var form: Form<Focus>
    public var payment = 0
    /// Also save the typed address to the shopper's addresses.
    public var saveAddress = false
    /// How saving the address went, shown on the result page; a failure never undoes the order.
    public var saveNote: StatusText?
    var saveRequest: Pending<Address>?
    var addressesRequest: Pending<[Address]>?
    /// The cart asked for again after its prices changed, so the next try is a new checkout.
    var cartRequest: Pending<Cart>?
    /// The server's answer: placed, declined or short of stock.
    public var outcome: CheckoutResponse?

    public init(cart: Cart) {
        self.cart = cart
        let choose = KeyHelp("←/→", "choose", long: "choose a saved address or a payment method")
        var fields: [FormField<Focus>] = [.choice(.saved, "Ship to", help: choose)]
        for (focus, label, field) in Self.addressFields {
            fields.append(.text(focus, label, rule: field.shippingRule, server: field.rawValue, "shippingAddress." + field.rawValue))
        }
        fields += [.choice(.payment, "Pay with", help: choose, server: "paymentMethod"),
                   .choice(.saveAddress, "Save it", help: KeyHelp("Space", "toggle", long: "also save this address to your profile")),
                   .button(.place, "Place order"),
                   .button(.back, "Back to cart", enter: "back")]
        form = Form(fields, focus: .street, stopWaiting: KeyHelp("Esc", "stop waiting"))
        showChoices()
    }

    public var title: String { outcome?.success == true ? "Order placed" : "Checkout" }
    var placed: Bool { outcome?.success == true }
    public var capturesText: Bool { !placed && form.capturesText }
    public var hasUnsavedInput: Bool { !placed && savedIndex == nil && form.hasText }
    public var busyLabel: String? { form.sending != nil ? "Placing your order… (Esc stops waiting; retrying never charges twice)" : nil }

    public var status: StatusText? {
        if let failure = form.failure { return failure.statusText(retryKey: "Enter") }
        guard let outcome, !outcome.success else { return nil }
        // Changed prices say themselves what became of the cart.
        return StatusText(Self.explain(outcome) + (outcome.code == .priceChanged ? "" : " Your cart is kept."), role: .error)
    }

    /// Why the order was not placed, in words: changed prices, missing stock, a declined payment.
    static func explain(_ outcome: CheckoutResponse) -> String {
        switch outcome.code {
        case .priceChanged? where !(outcome.priceChanges ?? []).isEmpty:
            let words = outcome.priceChanges!.map { change in
                change.newPrice.map { "\(change.name) \(change.oldPrice.display) → \($0.display)" } ?? "\(change.name) is no longer sold"
            }
            return "Prices changed: " + words.joined(separator: ", ") + ". Your cart has the new prices; place the order again to accept them."
        case .outOfStock? where !(outcome.shortages ?? []).isEmpty:
            return "Not enough stock: " + outcome.shortages!.map { "\($0.requested) wanted, \($0.available) left" }.joined(separator: "; ") + "."
        case .paymentDeclined?:
            if let reason = outcome.reason { return "Payment declined: \(reason)." }
        default:
            break
        }
        return outcome.message.hasSuffix(".") ? outcome.message : outcome.message + "."
    }

    /// The saved-address chooser shows only when there are saved addresses, and
    /// the save toggle only for a typed address (one already saved needs no saving).
    mutating func showChoices() {
        form.hidden = Set([addresses.isEmpty ? Focus.saved : nil, savedIndex != nil ? Focus.saveAddress : nil].compactMap { $0 })
    }

    var savesAddress: Bool { saveAddress && savedIndex == nil }

    public var submitHelp: KeyHelp { KeyHelp("Enter", "place order", long: "place the order, or press the focused button") }

    public var keyHelp: [KeyHelp] {
        if placed { return [KeyHelp("Enter", "keep shopping", long: "back to the catalogue", primary: true), KeyHelp("o", "orders", long: "your order history")] }
        return form.keyHelp(submit: submitHelp)
    }

    public mutating func appear(_ ctx: inout Context) {
        if addresses.isEmpty && addressesRequest == nil { addressesRequest = ctx.send(.data(Endpoints.addresses)) }
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if placed {
            switch key {
            case .enter, .escape: ctx.reset(to: BrowseScreen())
            // The order history, with Esc leading back to the catalogue.
            case .char("o"): ctx.reset(to: OrdersScreen(), over: BrowseScreen())
            default: return false
            }
            return true
        }
        return handleForm(key, &ctx)
    }

    /// Typing changes the address: it is no longer the saved one.
    public mutating func edited(_ field: Focus) {
        savedIndex = nil
        showChoices()
    }

    public mutating func step(_ field: Focus, by step: Int) {
        switch field {
        case .saved: chooseSaved(savedIndex.map { $0 + step } ?? (step > 0 ? 0 : addresses.count - 1))
        case .payment: payment = (payment + step + Self.paymentMethods.count) % Self.paymentMethods.count
        default: saveAddress.toggle()
        }
    }

    /// Index past either end means "a new address".
    mutating func chooseSaved(_ index: Int) {
        defer { showChoices() }
        guard addresses.indices.contains(index) else {
            savedIndex = nil
            return
        }
        savedIndex = index
        let address = addresses[index]
        for (focus, value) in [(Focus.street, address.street), (.city, address.city), (.zip, address.zip), (.country, address.country)] {
            form.set(focus, value ?? "")
        }
        form.errors = [:]
    }

    var typedAddress: ShippingAddress {
        ShippingAddress(street: form.value(.street), city: form.value(.city), zip: form.value(.zip), country: form.value(.country))
    }

    public mutating func submit(_ field: Focus, _ ctx: inout Context) {
        if field == .back { return ctx.back() }
        outcome = nil
        guard form.validate() else { return }
        let address = typedAddress
        let method = Self.paymentMethods[payment].value
        form.send(Self.placeOrder(address, paymentMethod: method, idempotencyKey: idempotencyKey(address, method)), &ctx)
    }

    /// The checkout. `idempotencyKey` makes a retried checkout answer the first one's order instead of charging
    /// twice. A declined payment, missing stock or changed prices still answer the checkout's own body (`success`
    /// false, with the order and transaction ids, the reason, the shortages or the price changes).
    public static func placeOrder(_ address: ShippingAddress, paymentMethod: String, idempotencyKey: String) -> Request<CheckoutResponse> {
        let order = CheckoutRequest(shippingAddress: ShippingAddressInput(address),
                                    paymentMethod: paymentMethod)
        return .call(Endpoints.checkout, body: order, headers: [IdempotencyKey.header(idempotencyKey)], answersWithBody: [.paymentDeclined, .outOfStock, .priceChanged])
    }

    /// The same cart, address and method always give the same key, so a retry
    /// after a lost answer finds the first order instead of paying twice.
    func idempotencyKey(_ address: ShippingAddress, _ method: String) -> String {
        IdempotencyKey.make("storefront-\(cart.id.prefix(40))", [cart.id, String(Int(cart.updatedAt.timeIntervalSince1970)), cart.totalPrice.description,
                                                                  address.street, address.city, address.zip, address.country, method])
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let result = addressesRequest.take(id, reply) {
            guard case .success(let saved) = result, !saved.isEmpty else { return }
            addresses = saved
            if !form.hasText {
                chooseSaved(saved.firstIndex(where: \.isDefault) ?? 0)
                form.focus = .saved
            } else {
                showChoices()
            }
        } else if let result = cartRequest.take(id, reply) {
            if case .success(let current) = result { cart = current }
        } else if let result = saveRequest.take(id, reply) {
            switch result {
            case .success: saveNote = StatusText("Address saved to your profile.", role: .success)
            case .failure(let error): saveNote = StatusText("The address was not saved to your profile (the order stands): \(error.message)", role: .error)
            }
        } else if case .success(let answer)? = form.settle(id, reply, as: CheckoutResponse.self) {
            outcome = answer
            if answer.code == .priceChanged { cartRequest = ctx.send(.data(Endpoints.cart)) }
            if answer.success {
                ctx.notify("Thank you! Your order is placed.")
                // Saved only once the order is placed, so a retried checkout cannot save it twice.
                if savesAddress {
                    let address = typedAddress
                    let draft = AddressInput(street: address.street, city: address.city, zip: address.zip, country: address.country)
                    saveRequest = ctx.send(.data(Endpoints.addAddress, body: draft))
                    saveNote = StatusText("Saving the address to your profile…", role: .muted)
                }
            }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = FormLayout(area)
        if let outcome, outcome.success {
            frame.write("Order placed. Thank you!", x: layout.left, y: layout.top, role: .success)
            frame.write("Order", x: layout.left, y: layout.top + 2, role: .label)
            frame.write(outcome.orderId ?? "—", x: layout.fieldX, y: layout.top + 2, role: .text)
            frame.write("Payment", x: layout.left, y: layout.top + 3, role: .label)
            frame.write(outcome.transactionId ?? "—", x: layout.fieldX, y: layout.top + 3, role: .text)
            frame.write("Total", x: layout.left, y: layout.top + 4, role: .label)
            frame.write(cart.totalPrice.display, x: layout.fieldX, y: layout.top + 4, role: .price)
            frame.write("Enter: keep shopping   o: your orders", x: layout.left, y: layout.top + 6, role: .muted)
            if let saveNote {
                for (index, line) in TextWidth.wrap(saveNote.text, width: area.maxX - layout.left - 2).prefix(3).enumerated() {
                    frame.write(line, x: layout.left, y: layout.top + 8 + index, role: saveNote.role, limit: area.maxX)
                }
            }
            return
        }
        let count = cart.items.reduce(0) { $0 + $1.quantity }
        let x = frame.write("Checkout: \(count) item\(count == 1 ? "" : "s"), ", x: layout.left, y: layout.top, role: .title)
        frame.write(cart.totalPrice.display, x: x, y: layout.top, role: .price)
        var row = 2
        if !addresses.isEmpty {
            let chosen = savedIndex.map { index in
                let a = addresses[index]
                return [a.street, a.city, a.country].compactMap { $0 }.joined(separator: ", ") + (a.isDefault ? " (default)" : "")
            } ?? "a new address"
            form.drawChoice(.saved, &frame, layout, row: row, showing: "\(env.glyphs.separator) " + chosen, glyphs: env.glyphs)
            row += 2
        }
        for (focus, _, _) in Self.addressFields {
            form.drawText(focus, &frame, layout, row: row, glyphs: env.glyphs)
            row += 2
        }
        form.drawChoice(.payment, &frame, layout, row: row, showing: "\(env.glyphs.separator) " + Self.paymentMethods[payment].label, glyphs: env.glyphs)
        row += 2
        if savedIndex == nil {
            form.drawChoice(.saveAddress, &frame, layout, row: row, showing: (saveAddress ? "[x]" : "[ ]") + " also save this address to my profile",
                            glyphs: env.glyphs)
            row += 2
        }
        let after = form.drawButton(.place, &frame, x: layout.fieldX, y: layout.top + row)
        form.drawButton(.back, &frame, x: after + 3, y: layout.top + row)
    }
}
