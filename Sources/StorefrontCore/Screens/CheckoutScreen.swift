import Foundation
import MarketplaceAPI

/// Shipping address (a saved one or typed), payment method, confirm; then the
/// order and transaction ids, or in words why the order did not go through.
/// A typed address can also be saved to the profile once the order is placed.
public struct CheckoutScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case saved, street, city, zip, country, payment, saveAddress, place, back }
    enum Action: Sendable { case next, previous, submit, cancel }

    /// The sandbox provider follows Stripe's test tokens.
    public static let paymentMethods: [(value: String, label: String)] = [
        ("tok_visa", "test card that succeeds (tok_visa)"),
        ("tok_chargeDeclined", "test card that is declined (tok_chargeDeclined)"),
        ("Credit Card", "Credit Card"),
    ]

    public var cart: Cart
    public var addresses: [Address] = []
    /// The saved address in use; nil while typing a new one.
    public var savedIndex: Int?
    public var street = TextField(maxLength: 255)
    public var city = TextField(maxLength: 100)
    public var zip = TextField(maxLength: 20)
    public var country = TextField(maxLength: 100)
    public var payment = 0
    /// Also save the typed address to the shopper's addresses.
    public var saveAddress = false
    /// How saving the address went, shown on the result page; a failure never undoes the order.
    public var saveNote: StatusText?
    var saveRequest: RequestID?
    public var focus: Focus = .street
    public var fieldErrors: [Focus: String] = [:]
    var addressesRequest: RequestID?
    var checkoutRequest: RequestID?
    public var failure: APIError?
    /// The server's answer: placed, declined or short of stock.
    public var outcome: CheckoutResponse?

    public init(cart: Cart) { self.cart = cart }

    public var title: String { outcome?.success == true ? "Order placed" : "Checkout" }
    var placed: Bool { outcome?.success == true }
    public var capturesText: Bool { !placed && [.street, .city, .zip, .country].contains(focus) }
    public var hasUnsavedInput: Bool { !placed && savedIndex == nil && !(street.isEmpty && city.isEmpty && zip.isEmpty && country.isEmpty) }
    public var busyLabel: String? { checkoutRequest != nil ? "Placing your order… (Esc stops waiting; retrying never charges twice)" : nil }

    public var status: StatusText? {
        if let failure { return failure.statusText(retryKey: "Enter") }
        guard let outcome, !outcome.success else { return nil }
        return StatusText(Self.explain(outcome) + " Your cart is kept.", role: .error)
    }

    /// A declined payment or missing stock, in words.
    static func explain(_ outcome: CheckoutResponse) -> String {
        switch outcome.code {
        case .outOfStock? where !(outcome.shortages ?? []).isEmpty:
            return "Not enough stock: " + outcome.shortages!.map { "\($0.requested) wanted, \($0.available) left" }.joined(separator: "; ") + "."
        case .paymentDeclined?:
            if let reason = outcome.reason { return "Payment declined: \(reason)." }
        default:
            break
        }
        return outcome.message.hasSuffix(".") ? outcome.message : outcome.message + "."
    }

    var focusOrder: [Focus] {
        Focus.allCases.filter { ($0 != .saved || !addresses.isEmpty) && ($0 != .saveAddress || savedIndex == nil) }
    }
    /// Saving applies only to a typed address, not to one already saved.
    var savesAddress: Bool { saveAddress && savedIndex == nil }

    var keymap: Keymap<Action> {
        var bindings: [KeyBinding<Action>] = [
            KeyBinding([.tab, .down], KeyHelp("Tab", "next", long: "next field or button (also ↓)"), .next),
            KeyBinding([.backTab, .up], KeyHelp("S-Tab", "previous", long: "previous field or button (also ↑)", inBar: false), .previous),
            KeyBinding([.enter], KeyHelp("Enter", focus == .back ? "back" : "place order", long: "place the order, or press the focused button"), .submit),
        ]
        if checkoutRequest != nil { bindings.append(KeyBinding([.escape], KeyHelp("Esc", "stop waiting"), .cancel)) }
        return Keymap(bindings)
    }

    public var keyHelp: [KeyHelp] {
        if placed { return [KeyHelp("Enter", "keep shopping", long: "back to the catalogue"), KeyHelp("o", "orders", long: "your order history")] }
        var help = keymap.help
        if focus == .saved || focus == .payment { help.insert(KeyHelp("←/→", "choose", long: "choose a saved address or a payment method"), at: 0) }
        if focus == .saveAddress { help.insert(KeyHelp("Space", "toggle", long: "also save this address to your profile"), at: 0) }
        return help
    }

    public mutating func appear(_ ctx: inout Context) {
        if addresses.isEmpty && addressesRequest == nil { addressesRequest = ctx.send(.addresses) }
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if placed {
            switch key {
            case .enter, .escape: ctx.reset(to: BrowseScreen())
            case .char("o"): ctx.reset(to: OrdersScreen())
            default: return false
            }
            return true
        }
        if checkoutRequest != nil {
            if key == .escape { checkoutRequest = nil }
            return true
        }
        if let action = keymap.action(for: key) {
            let order = focusOrder
            let index = order.firstIndex(of: focus) ?? 0
            switch action {
            case .next: focus = order[(index + 1) % order.count]
            case .previous: focus = order[(index + order.count - 1) % order.count]
            case .submit: if focus == .back { ctx.back() } else { submit(&ctx) }
            case .cancel: checkoutRequest = nil
            }
            return true
        }
        switch focus {
        case .saved:
            switch key {
            case .left, .char("h"): chooseSaved(savedIndex.map { $0 - 1 } ?? addresses.count - 1)
            case .right, .char("l"), .char(" "): chooseSaved(savedIndex.map { $0 + 1 } ?? 0)
            default: return false
            }
        case .street, .city, .zip, .country:
            var field = self[focus]
            guard field.edit(key) else { return false }
            self[focus] = field
            fieldErrors[focus] = nil
            savedIndex = nil
        case .payment:
            let count = Self.paymentMethods.count
            switch key {
            case .left, .char("h"): payment = (payment + count - 1) % count
            case .right, .char("l"), .char(" "): payment = (payment + 1) % count
            default: return false
            }
        case .saveAddress:
            guard [.left, .right, .char(" "), .char("h"), .char("l")].contains(key) else { return false }
            saveAddress.toggle()
        case .place, .back:
            switch key {
            case .left, .char("h"): focus = .place
            case .right, .char("l"): focus = .back
            default: return false
            }
        }
        return true
    }

    subscript(field: Focus) -> TextField {
        get {
            switch field {
            case .street: street
            case .city: city
            case .zip: zip
            default: country
            }
        }
        set {
            switch field {
            case .street: street = newValue
            case .city: city = newValue
            case .zip: zip = newValue
            default: country = newValue
            }
        }
    }

    /// Index past either end means "a new address".
    mutating func chooseSaved(_ index: Int) {
        guard addresses.indices.contains(index) else {
            savedIndex = nil
            return
        }
        savedIndex = index
        let address = addresses[index]
        street = TextField(address.street ?? "", maxLength: 255)
        city = TextField(address.city ?? "", maxLength: 100)
        zip = TextField(address.zip ?? "", maxLength: 20)
        country = TextField(address.country ?? "", maxLength: 100)
        fieldErrors = [:]
    }

    mutating func submit(_ ctx: inout Context) {
        fieldErrors = [:]
        failure = nil
        outcome = nil
        for (field, name) in [(Focus.street, "Street"), (.city, "City"), (.zip, "Postal code"), (.country, "Country")] where self[field].trimmed.isEmpty {
            fieldErrors[field] = "\(name) is required"
        }
        if let first = focusOrder.first(where: { fieldErrors[$0] != nil }) {
            focus = first
            return
        }
        let address = ShippingAddress(street: street.trimmed, city: city.trimmed, zip: zip.trimmed, country: country.trimmed)
        let method = Self.paymentMethods[payment].value
        checkoutRequest = ctx.send(.checkout(address: address, paymentMethod: method, idempotencyKey: idempotencyKey(address, method)))
    }

    /// The same cart, address and method always give the same key, so a retry
    /// after a lost answer finds the first order instead of paying twice.
    func idempotencyKey(_ address: ShippingAddress, _ method: String) -> String {
        let text = [cart.id, String(Int(cart.updatedAt.timeIntervalSince1970)), cart.totalPrice.description,
                    address.street, address.city, address.zip, address.country, method].joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "storefront-\(cart.id.prefix(40))-\(String(hash, radix: 16))"
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        switch reply {
        case .addresses(let result) where id == addressesRequest:
            addressesRequest = nil
            guard case .success(let saved) = result, !saved.isEmpty else { return }
            addresses = saved
            if street.isEmpty && city.isEmpty && zip.isEmpty && country.isEmpty {
                chooseSaved(saved.firstIndex(where: \.isDefault) ?? 0)
                focus = .saved
            }
        case .checkout(let result) where id == checkoutRequest:
            checkoutRequest = nil
            switch result {
            case .success(let answer):
                outcome = answer
                if answer.success {
                    ctx.notify("Thank you! Your order is placed.")
                    // Saved only once the order is placed, so a retried checkout cannot save it twice.
                    if savesAddress {
                        let draft = AddressInput(street: street.trimmed, city: city.trimmed, zip: zip.trimmed, country: country.trimmed)
                        saveRequest = ctx.send(.addAddress(draft))
                        saveNote = StatusText("Saving the address to your profile…", role: .muted)
                    }
                }
            case .failure(let error):
                failure = error
                for field in error.fieldErrors {
                    switch field.field {
                    case "street", "shippingAddress.street": fieldErrors[.street] = field.message
                    case "city", "shippingAddress.city": fieldErrors[.city] = field.message
                    case "zip", "shippingAddress.zip": fieldErrors[.zip] = field.message
                    case "country", "shippingAddress.country": fieldErrors[.country] = field.message
                    default: break
                    }
                }
            }
        case .addressSaved(let result) where id == saveRequest:
            saveRequest = nil
            switch result {
            case .success: saveNote = StatusText("Address saved to your profile.", role: .success)
            case .failure(let error): saveNote = StatusText("The address was not saved to your profile (the order stands): \(error.message)", role: .error)
            }
        default:
            break
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        if let outcome, outcome.success {
            frame.write("Order placed. Thank you!", x: form.left, y: form.top, role: .success)
            frame.write("Order", x: form.left, y: form.top + 2, role: .label)
            frame.write(outcome.orderId ?? "—", x: form.fieldX, y: form.top + 2, role: .text)
            frame.write("Payment", x: form.left, y: form.top + 3, role: .label)
            frame.write(outcome.transactionId ?? "—", x: form.fieldX, y: form.top + 3, role: .text)
            frame.write("Total", x: form.left, y: form.top + 4, role: .label)
            frame.write(cart.totalPrice.display, x: form.fieldX, y: form.top + 4, role: .price)
            frame.write("Enter: keep shopping   o: your orders", x: form.left, y: form.top + 6, role: .muted)
            if let saveNote {
                for (index, line) in TextWidth.wrap(saveNote.text, width: area.maxX - form.left - 2).prefix(3).enumerated() {
                    frame.write(line, x: form.left, y: form.top + 8 + index, role: saveNote.role, limit: area.maxX)
                }
            }
            return
        }
        let count = cart.items.reduce(0) { $0 + $1.quantity }
        var x = frame.write("Checkout: \(count) item\(count == 1 ? "" : "s"), ", x: form.left, y: form.top, role: .title)
        x = frame.write(cart.totalPrice.display, x: x, y: form.top, role: .price)
        var row = 2
        if !addresses.isEmpty {
            frame.write("Ship to", x: form.left, y: form.top + row, role: focus == .saved ? .heading : .label)
            let label = savedIndex.map { index in
                let a = addresses[index]
                return "\(env.glyphs.separator) " + [a.street, a.city, a.country].compactMap { $0 }.joined(separator: ", ") + (a.isDefault ? " (default)" : "")
            } ?? "\(env.glyphs.separator) a new address"
            frame.write(TextWidth.truncate(label, to: form.fieldWidth, ellipsis: env.glyphs.ellipsis), x: form.fieldX, y: form.top + row,
                        role: focus == .saved ? .buttonFocused : .text)
            row += 2
        }
        for (field, label) in [(Focus.street, "Street"), (.city, "City"), (.zip, "Postal code"), (.country, "Country")] {
            form.drawField(&frame, label: label, field: self[field], row: row, focused: focus == field, error: fieldErrors[field], glyphs: env.glyphs)
            row += 2
        }
        frame.write("Pay with", x: form.left, y: form.top + row, role: focus == .payment ? .heading : .label)
        frame.write("\(env.glyphs.separator) " + Self.paymentMethods[payment].label, x: form.fieldX, y: form.top + row,
                    role: focus == .payment ? .buttonFocused : .text, limit: area.maxX)
        row += 2
        if savedIndex == nil {
            frame.write("Save it", x: form.left, y: form.top + row, role: focus == .saveAddress ? .heading : .label)
            frame.write(saveAddress ? "[x] also save this address to my profile" : "[ ] also save this address to my profile",
                        x: form.fieldX, y: form.top + row, role: focus == .saveAddress ? .buttonFocused : .text, limit: area.maxX)
            row += 2
        }
        let after = drawButton(&frame, "Place order", x: form.fieldX, y: form.top + row, focused: focus == .place)
        drawButton(&frame, "Back to cart", x: after + 3, y: form.top + row, focused: focus == .back)
    }
}
