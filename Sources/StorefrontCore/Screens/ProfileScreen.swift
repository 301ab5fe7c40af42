import MarketplaceAPI

/// Phone, newsletter and theme (saved to the user service; the theme applies
/// at once), and the saved addresses.
public struct ProfileScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case phone, newsletter, theme, save }
    enum Action: Sendable { case next, previous, submit }

    public var profile: UserProfile?
    public var phone = TextField(maxLength: 20)
    public var newsletter = true
    public var theme = "light"
    public var focus: Focus = .phone
    public var dirty = false
    var awaiting: RequestID?
    public var failure: APIError?

    public init() {}

    public var title: String { "Profile" }
    public var capturesText: Bool { focus == .phone }
    public var hasUnsavedInput: Bool { dirty }
    public var busyLabel: String? { awaiting == nil ? nil : profile == nil ? "Loading your profile…" : "Saving…" }
    public var status: StatusText? { failure?.statusText(retryKey: "Enter") }

    var keymap: Keymap<Action> {
        Keymap([
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
        if profile == nil { awaiting = ctx.send(.profile) }
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if awaiting != nil { return key != .escape }
        if let action = keymap.action(for: key) {
            let count = Focus.allCases.count
            switch action {
            case .next: focus = Focus(rawValue: (focus.rawValue + 1) % count)!
            case .previous: focus = Focus(rawValue: (focus.rawValue + count - 1) % count)!
            case .submit:
                failure = nil
                awaiting = ctx.send(.updateProfile(ProfileChange(phone: phone.trimmed, newsletter: newsletter, theme: theme)))
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
        case .save:
            return false
        }
        dirty = true
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
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
        let addresses = profile?.addresses ?? []
        if addresses.isEmpty { frame.write("none saved yet (checkout asks for one)", x: form.fieldX, y: form.top + 10, role: .muted) }
        for (index, address) in addresses.prefix(max(0, area.maxY - form.top - 11)).enumerated() {
            let text = [address.street, address.city, address.zip, address.country].compactMap { $0 }.joined(separator: ", ")
            frame.write(text + (address.isDefault ? "  (default)" : ""), x: form.fieldX, y: form.top + 10 + index, role: .text, limit: area.maxX)
        }
    }
}
