import MarketplaceAPI

/// Phone, newsletter and theme (saved to the user service; the theme applies
/// at once), and the saved addresses: add, edit, delete (asking first), make default.
public struct ProfileScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case phone, newsletter, theme, save, addresses }
    enum AddressAction: Sendable { case move(List.Move), add, edit, delete, makeDefault }

    public var profile: UserProfile?
    public var form = Form<Focus>([
        .text(.phone, "Phone", maxLength: InputRules.maximumPhoneLength, server: ["phone"]) { InputRules.phoneProblem($0) },
        .choice(.newsletter, "Newsletter", help: ProfileScreen.changeHelp, server: "preferences.newsletter"),
        .choice(.theme, "Theme", help: ProfileScreen.changeHelp, server: "preferences.theme"),
        .button(.save, "Save"),
        .list(.addresses, "Addresses"),
    ])
    public var newsletter = true
    public var theme = ThemeName.light.rawValue
    public var addressList = List()
    /// d asks once; y deletes.
    public var confirmingDelete = false
    /// The address list loading, an address deleting (answered by its id) or becoming the default: one at a time.
    var addressesRequest: Pending<[Address]>?
    var deleteRequest: Pending<String>?
    var defaultRequest: Pending<Address>?

    static let changeHelp = KeyHelp("←/→", "change", long: "toggle the newsletter or pick a theme")
    static let themes = ThemeName.allCases.map(\.rawValue)

    public init() {}

    public var title: String { "Profile" }
    public var busyLabel: String? {
        if form.sending != nil { return profile == nil ? "Loading your profile…" : "Saving…" }
        return addressesRequest == nil && deleteRequest == nil && defaultRequest == nil ? nil : "Updating your addresses…"
    }
    public var status: StatusText? {
        if confirmingDelete, let address = selected {
            return StatusText("Delete the address at \(address.street ?? "?")? y deletes it, any other key keeps it.", role: .warning)
        }
        return form.failure?.statusText(retryKey: "Enter")
    }

    var addresses: [Address] { profile?.addresses ?? [] }
    var selected: Address? { addressList.selection.flatMap { addresses.indices.contains($0) ? addresses[$0] : nil } }

    static func describe(_ address: Address) -> String {
        [address.street, address.city, address.zip, address.country].compactMap { $0 }.joined(separator: ", ")
    }

    var addressKeymap: Keymap<AddressAction> {
        Keymap(List.bindings("address", AddressAction.move) + [
            KeyBinding([.char("a"), .char("n")], KeyHelp("a", "add", long: "add an address (also n, as everywhere new things are made)"), .add),
            KeyBinding([.enter, .char("e")], KeyHelp("Enter", "edit", long: "edit the selected address (also e)", primary: true), .edit),
            KeyBinding([.char("d"), .delete], KeyHelp("d", "delete", long: "delete the selected address (asks first)"), .delete),
            KeyBinding([.char("*")], KeyHelp("*", "default", long: "make the selected address the default"), .makeDefault),
        ])
    }

    public var submitHelp: KeyHelp { KeyHelp("Enter", "save", long: "save phone, newsletter and theme") }
    /// The wheel moves through the address list once it has the focus.
    public mutating func wheel(_ rows: Int, _ ctx: inout Context) {
        if form.focus == .addresses { wheelAsArrows(rows, &ctx) }
    }

    static let sshKeysHelp = KeyHelp("K", "SSH keys", long: "your SSH keys: what each is, when it was last used; remove one", inBar: false)

    public var keyHelp: [KeyHelp] {
        // K is listed on the fields between the phone and the address list (it works on the list too).
        form.keyHelp(submit: submitHelp) + (form.focus == .addresses ? addressKeymap.help : capturesText ? [] : [Self.sshKeysHelp])
    }

    /// Rows the address list may use below the form.
    static func addressRows(_ area: Rect) -> Int { max(1, area.maxY - FormLayout(area).top - 10) }

    public mutating func appear(_ ctx: inout Context) {
        // Back from the address form: the list may have changed (and with it the default).
        if profile == nil { form.send(.data(Endpoints.profile), &ctx) } else { loadAddresses(&ctx) }
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if confirmingDelete {
            confirmingDelete = false
            if key == .char("y"), let address = selected {
                form.failure = nil
                stopWaitingForAddresses()
                deleteRequest = ctx.send(Request.call(Endpoints.deleteAddress, address.id).map { _ in address.id })
            }
            return true
        }
        if handleForm(key, &ctx) { return true }
        if key == .char("K") {
            ctx.push(SSHKeysScreen())
            return true
        }
        guard form.focus == .addresses, let action = addressKeymap.action(for: key) else { return false }
        handleAddress(action, &ctx)
        return true
    }

    public mutating func submit(_ field: Focus, _ ctx: inout Context) {
        guard form.validate() else { return }
        let change = ProfileUpdate(phone: form.value(.phone), preferences: ProfileUpdate.Preferences(newsletter: newsletter, theme: theme))
        form.send(.data(Endpoints.updateProfile, body: change), &ctx)
    }

    public mutating func step(_ field: Focus, by step: Int) {
        if field == .newsletter { return newsletter.toggle() }
        let index = Self.themes.firstIndex(of: theme) ?? 0
        theme = Self.themes[(index + step + Self.themes.count) % Self.themes.count]
    }

    mutating func handleAddress(_ action: AddressAction, _ ctx: inout Context) {
        switch action {
        case .move(let move): addressList.move(move, rows: Self.addressRows(ctx.area))
        case .add: ctx.push(AddressFormScreen())
        case .edit: if let address = selected { ctx.push(AddressFormScreen(editing: address)) }
        case .delete: if selected != nil { confirmingDelete = true }
        case .makeDefault:
            if let address = selected, !address.isDefault {
                form.failure = nil
                stopWaitingForAddresses()
                defaultRequest = ctx.send(.data(Endpoints.updateAddress, address.id, body: AddressInput(isDefault: true)))
            }
        }
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if receiveAddresses(id, reply, &ctx) { return }
        let saving = profile != nil
        guard case .success(let fresh)? = form.settle(id, reply, as: UserProfile.self) else { return }
        profile = fresh
        addressList.reset(count: fresh.addresses.count)
        form.set(.phone, fresh.phone ?? "")
        newsletter = fresh.preferences.newsletter
        theme = fresh.preferences.theme
        form.changed = false
        if saving {
            ctx.notify("Profile saved.")
            ctx.useTheme(fresh.preferences.theme)
        }
    }

    mutating func stopWaitingForAddresses() {
        addressesRequest = nil
        deleteRequest = nil
        defaultRequest = nil
    }

    mutating func loadAddresses(_ ctx: inout Context) {
        stopWaitingForAddresses()
        addressesRequest = ctx.send(.data(Endpoints.addresses))
    }

    /// False when the reply is not to an address request.
    mutating func receiveAddresses(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) -> Bool {
        if let result = addressesRequest.take(id, reply) {
            switch result {
            case .success(let fresh):
                profile?.addresses = fresh
                addressList.reset(count: fresh.count)
            case .failure(let error): form.failure = error
            }
        } else if let result = deleteRequest.take(id, reply) {
            addressChanged(result.map { _ in "Address deleted." }, &ctx)
        } else if let result = defaultRequest.take(id, reply) {
            addressChanged(result.map { _ in "Default address changed." }, &ctx)
        } else {
            return false
        }
        return true
    }

    /// A delete or a new default changes other rows too, so both reload the list.
    mutating func addressChanged(_ result: Result<String, APIError>, _ ctx: inout Context) {
        switch result {
        case .success(let notice):
            ctx.notify(notice)
            loadAddresses(&ctx)
        case .failure(let error): form.failure = error
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = FormLayout(area)
        frame.write(env.session.map { "\($0.user.name) · \($0.user.email)" } ?? "Profile", x: layout.left, y: layout.top, role: .title, limit: area.maxX)
        guard profile != nil else { return }
        form.drawText(.phone, &frame, layout, row: 2, glyphs: env.glyphs)
        form.drawChoice(.newsletter, &frame, layout, row: 4, showing: FormLayout.yesNo(newsletter, glyphs: env.glyphs), glyphs: env.glyphs)
        form.drawOptions(.theme, &frame, layout, row: 6, options: Self.themes.map { ($0 == theme ? "[\($0)]" : " \($0) ", $0 == theme) }, gap: 1)
        form.drawButton(.save, &frame, x: layout.fieldX, y: layout.top + 8, label: form.changed ? "Save changes" : "Save")
        frame.write("Addresses", x: layout.left, y: layout.top + 10, role: .heading)
        if addresses.isEmpty {
            frame.write(form.focus == .addresses ? "none saved yet: a adds one" : "none saved yet (checkout asks for one)",
                        x: layout.fieldX, y: layout.top + 10, role: .muted)
        }
        let rows = Rect(x: layout.fieldX, y: layout.top + 10, width: area.maxX - layout.fieldX, height: Self.addressRows(area))
        addressList.draw(&frame, in: rows, glyphs: env.glyphs, plain: true, showsSelection: form.focus == .addresses) { frame, index, x, y, chosen in
            let address = addresses[index]
            let text = Self.describe(address) + (address.isDefault ? "  (default)" : "")
            frame.write(TextWidth.truncate(text, to: area.maxX - x, ellipsis: env.glyphs.ellipsis), x: x, y: y, role: chosen ? .selection : .text, limit: area.maxX)
        }
    }
}
