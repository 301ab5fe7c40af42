import MarketplaceAPI

/// Phone, newsletter and theme (saved to the user service; the theme applies
/// at once), and the saved addresses: add, edit, delete (asking first), make default.
public struct ProfileScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case phone, newsletter, theme, save, addresses }
    enum Action: Sendable { case next, previous, submit, up, down, addAddress, editAddress, deleteAddress, makeDefault }

    public var profile: UserProfile?
    public var phone = TextField(maxLength: 20)
    public var newsletter = true
    public var theme = "light"
    public var focus: Focus = .phone
    public var dirty = false
    var awaiting: RequestID?
    /// The selected row of the address list.
    public var selectedAddress = 0
    /// d asks once; y deletes.
    public var confirmingDelete = false
    var addressRequest: RequestID?
    public var failure: APIError?

    public init() {}

    public var title: String { "Profile" }
    public var capturesText: Bool { focus == .phone }
    public var hasUnsavedInput: Bool { dirty }
    public var busyLabel: String? {
        if awaiting != nil { return profile == nil ? "Loading your profile…" : "Saving…" }
        return addressRequest == nil ? nil : "Updating your addresses…"
    }
    public var status: StatusText? {
        if confirmingDelete, let address = selected {
            return StatusText("Delete the address at \(address.street ?? "?")? y deletes it, any other key keeps it.", role: .warning)
        }
        return failure?.statusText(retryKey: "Enter")
    }

    var addresses: [Address] { profile?.addresses ?? [] }
    var selected: Address? { addresses.indices.contains(selectedAddress) ? addresses[selectedAddress] : nil }

    static func describe(_ address: Address) -> String {
        [address.street, address.city, address.zip, address.country].compactMap { $0 }.joined(separator: ", ")
    }

    var keymap: Keymap<Action> {
        if focus == .addresses {
            return Keymap([
                KeyBinding([.tab], KeyHelp("Tab", "next", long: "next field"), .next),
                KeyBinding([.backTab], KeyHelp("S-Tab", "previous", long: "previous field", inBar: false), .previous),
                KeyBinding(.up, KeyHelp("↑/k", "up", long: "previous address", inBar: false), .up),
                KeyBinding(.down, KeyHelp("↓/j", "down", long: "next address", inBar: false), .down),
                KeyBinding([.char("a")], KeyHelp("a", "add", long: "add an address"), .addAddress),
                KeyBinding([.enter, .char("e")], KeyHelp("Enter", "edit", long: "edit the selected address (also e)"), .editAddress),
                KeyBinding([.char("d"), .delete], KeyHelp("d", "delete", long: "delete the selected address (asks first)"), .deleteAddress),
                KeyBinding([.char("*")], KeyHelp("*", "default", long: "make the selected address the default"), .makeDefault),
            ])
        }
        return Keymap([
            KeyBinding([.tab, .down], KeyHelp("Tab", "next", long: "next field (also ↓)"), .next),
            KeyBinding([.backTab, .up], KeyHelp("S-Tab", "previous", long: "previous field (also ↑)", inBar: false), .previous),
            KeyBinding([.enter], KeyHelp("Enter", "save", long: "save phone, newsletter and theme"), .submit),
        ])
    }

    public var keyHelp: [KeyHelp] {
        var help = keymap.help
        if focus == .newsletter || focus == .theme { help.insert(KeyHelp("←/→", "change", long: "toggle the newsletter or pick a theme"), at: 0) }
        return help
    }

    public mutating func appear(_ ctx: inout Context) {
        // Back from the address form: the list may have changed (and with it the default).
        if profile == nil { awaiting = ctx.send(.profile) } else { addressRequest = ctx.send(.addresses) }
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if awaiting != nil { return key != .escape }
        if confirmingDelete {
            confirmingDelete = false
            if key == .char("y"), let address = selected {
                failure = nil
                addressRequest = ctx.send(.deleteAddress(id: address.id))
            }
            return true
        }
        if let action = keymap.action(for: key) {
            switch action {
            case .next: focus = focus.next
            case .previous: focus = focus.previous
            case .submit:
                failure = nil
                awaiting = ctx.send(.updateProfile(ProfileChange(phone: phone.trimmed, newsletter: newsletter, theme: theme)))
            case .up: selectedAddress = max(0, selectedAddress - 1)
            case .down: selectedAddress = min(max(0, addresses.count - 1), selectedAddress + 1)
            case .addAddress: ctx.push(AddressFormScreen())
            case .editAddress: if let address = selected { ctx.push(AddressFormScreen(editing: address)) }
            case .deleteAddress: if selected != nil { confirmingDelete = true }
            case .makeDefault:
                if let address = selected, !address.isDefault {
                    failure = nil
                    addressRequest = ctx.send(.updateAddress(id: address.id, AddressInput(isDefault: true)))
                }
            }
            return true
        }
        switch focus {
        case .phone:
            guard phone.edit(key) else { return false }
        case .newsletter:
            guard [.left, .right, .char(" "), .char("h"), .char("l")].contains(key) else { return false }
            newsletter.toggle()
        case .theme:
            let names = Theme.shippedNames
            let index = names.firstIndex(of: theme) ?? 0
            switch key {
            case .left, .char("h"): theme = names[(index + names.count - 1) % names.count]
            case .right, .char("l"), .char(" "): theme = names[(index + 1) % names.count]
            default: return false
            }
        case .save, .addresses:
            return false
        }
        dirty = true
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if id == addressRequest {
            receiveAddresses(reply, &ctx)
            return
        }
        guard id == awaiting, case .profile(let result) = reply else { return }
        let saving = profile != nil
        awaiting = nil
        switch result {
        case .success(let fresh):
            profile = fresh
            phone = TextField(fresh.phone ?? "", maxLength: 20)
            newsletter = fresh.preferences.newsletter
            theme = fresh.preferences.theme
            dirty = false
            if saving {
                ctx.notify("Profile saved.")
                ctx.useTheme(fresh.preferences.theme)
            }
        case .failure(let error):
            failure = error
        }
    }

    /// A delete or a new default changes other rows too, so both reload the list.
    mutating func receiveAddresses(_ reply: APIReply, _ ctx: inout Context) {
        addressRequest = nil
        switch reply {
        case .addresses(.success(let fresh)):
            profile?.addresses = fresh
            selectedAddress = min(selectedAddress, max(0, fresh.count - 1))
        case .addressDeleted(.success):
            ctx.notify("Address deleted.")
            addressRequest = ctx.send(.addresses)
        case .addressSaved(.success):
            ctx.notify("Default address changed.")
            addressRequest = ctx.send(.addresses)
        default:
            failure = reply.error
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        frame.write(env.session.map { "\($0.user.name) · \($0.user.email)" } ?? "Profile", x: form.left, y: form.top, role: .title, limit: area.maxX)
        guard profile != nil else { return }
        form.drawField(&frame, label: "Phone", field: phone, row: 2, focused: focus == .phone, error: nil, glyphs: env.glyphs)
        frame.write("Newsletter", x: form.left, y: form.top + 4, role: focus == .newsletter ? .heading : .label)
        frame.write(newsletter ? "(\(env.glyphs.online)) yes  ( ) no" : "( ) yes  (\(env.glyphs.online)) no", x: form.fieldX, y: form.top + 4,
                    role: focus == .newsletter ? .buttonFocused : .text)
        frame.write("Theme", x: form.left, y: form.top + 6, role: focus == .theme ? .heading : .label)
        var x = form.fieldX
        for name in Theme.shippedNames {
            let chosen = name == theme
            x = frame.write(chosen ? "[\(name)]" : " \(name) ", x: x, y: form.top + 6,
                            role: chosen ? (focus == .theme ? .buttonFocused : .selection) : .text) + 1
        }
        drawButton(&frame, dirty ? "Save changes" : "Save", x: form.fieldX, y: form.top + 8, focused: focus == .save)
        frame.write("Addresses", x: form.left, y: form.top + 10, role: .heading)
        if addresses.isEmpty {
            frame.write(focus == .addresses ? "none saved yet: a adds one" : "none saved yet (checkout asks for one)", x: form.fieldX, y: form.top + 10, role: .muted)
        }
        // Keep the selected row in view when the list is longer than the screen.
        let visible = max(1, area.maxY - form.top - 10)
        let first = max(0, selectedAddress - visible + 1)
        for (offset, address) in addresses.dropFirst(first).prefix(visible).enumerated() {
            let index = first + offset
            let text = Self.describe(address) + (address.isDefault ? "  (default)" : "")
            let chosen = focus == .addresses && index == selectedAddress
            frame.write(TextWidth.truncate(text, to: area.maxX - form.fieldX, ellipsis: env.glyphs.ellipsis), x: form.fieldX, y: form.top + 10 + offset,
                        role: chosen ? .selection : .text, limit: area.maxX)
        }
    }
}
