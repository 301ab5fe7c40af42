import MarketplaceAPI

/// Add or edit a saved address from the profile: street, city, state, postal
/// code, country and whether it is the default.
public struct AddressFormScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case street, city, state, zip, country, makeDefault, save }

    public var editing: Address?
    public var form: Form<Focus>
    public var isDefault: Bool

    /// The text fields, their labels and the address fields they fill, in screen order.
    static let addressFields: [(Focus, String, InputRules.AddressField)] = [
        (.street, "Street", .street), (.city, "City", .city), (.state, "State", .state), (.zip, "Postal code", .zip), (.country, "Country", .country),
    ]

    public init(editing: Address? = nil) {
        self.editing = editing
        form = Form(Self.addressFields.map { focus, label, field in FormField.text(focus, label, rule: field.rule, server: field.rawValue) } + [
            .choice(.makeDefault, "Default", help: KeyHelp("Space", "toggle", long: "make it the default address or not"), server: "isDefault"),
            .button(.save, editing == nil ? "Add address" : "Save changes"),
        ])
        if let editing {
            for (focus, value) in [(Focus.street, editing.street), (.city, editing.city), (.state, editing.state), (.zip, editing.zip), (.country, editing.country)] {
                form.set(focus, value ?? "")
            }
        }
        isDefault = editing?.isDefault ?? false
    }

    public var title: String { editing == nil ? "New address" : "Edit address" }
    public var busyLabel: String? { form.sending == nil ? nil : "Saving the address…" }
    public var submitHelp: KeyHelp { KeyHelp("Enter", "save", long: "save the address") }

    public mutating func step(_ field: Focus, by step: Int) { isDefault.toggle() }

    public mutating func submit(_ field: Focus, _ ctx: inout Context) {
        guard form.validate() else { return }
        let draft = AddressInput(street: form.value(.street), city: form.value(.city), state: form.value(.state), zip: form.value(.zip),
                                 country: form.value(.country), isDefault: isDefault)
        form.send(editing.map { .data(Endpoints.updateAddress, $0.id, body: draft) } ?? .data(Endpoints.addAddress, body: draft), &ctx)
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard case .success? = form.settle(id, reply, as: Address.self) else { return }
        form.changed = false
        ctx.notify(editing == nil ? "Address added." : "Address saved.")
        ctx.back()
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = FormLayout(area)
        frame.write(editing == nil ? "A new address" : "Editing an address", x: layout.left, y: layout.top, role: .title, limit: area.maxX)
        let row = form.drawTexts(Self.addressFields.map(\.0), &frame, layout, from: 2, glyphs: env.glyphs)
        form.drawChoice(.makeDefault, &frame, layout, row: row, showing: FormLayout.yesNo(isDefault, glyphs: env.glyphs), glyphs: env.glyphs)
        form.drawButton(.save, &frame, x: layout.fieldX, y: layout.top + row + 2)
    }
}
