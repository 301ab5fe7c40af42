import MarketplaceAPI

/// Add or edit a saved address from the profile: street, city, state, postal
/// code, country and whether it is the default.
public struct AddressFormScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case street, city, state, zip, country, makeDefault, save }
    enum Action: Sendable { case next, previous, submit }

    public var editing: Address?
    public var street: TextField
    public var city: TextField
    public var state: TextField
    public var zip: TextField
    public var country: TextField
    public var isDefault: Bool
    public var focus: Focus = .street
    public var fieldErrors: [Focus: String] = [:]
    public var dirty = false
    var awaiting: RequestID?
    public var failure: APIError?

    public init(editing: Address? = nil) {
        self.editing = editing
        street = TextField(editing?.street ?? "", maxLength: 255)
        city = TextField(editing?.city ?? "", maxLength: 100)
        state = TextField(editing?.state ?? "", maxLength: 100)
        zip = TextField(editing?.zip ?? "", maxLength: 20)
        country = TextField(editing?.country ?? "", maxLength: 100)
        isDefault = editing?.isDefault ?? false
    }

    public var title: String { editing == nil ? "New address" : "Edit address" }
    public var capturesText: Bool { focus.rawValue <= Focus.country.rawValue }
    public var hasUnsavedInput: Bool { dirty }
    public var busyLabel: String? { awaiting == nil ? nil : "Saving the address…" }
    public var status: StatusText? { failure?.statusText(retryKey: "Enter") }

    var keymap: Keymap<Action> {
        Keymap([
            KeyBinding([.tab, .down], KeyHelp("Tab", "next", long: "next field (also ↓)"), .next),
            KeyBinding([.backTab, .up], KeyHelp("S-Tab", "previous", long: "previous field (also ↑)", inBar: false), .previous),
            KeyBinding([.enter], KeyHelp("Enter", "save", long: "save the address"), .submit),
        ])
    }

    public var keyHelp: [KeyHelp] {
        var help = keymap.help
        if focus == .makeDefault { help.insert(KeyHelp("Space", "toggle", long: "make it the default address or not"), at: 0) }
        return help
    }

    static let labels: [(Focus, String)] = [(.street, "Street"), (.city, "City"), (.state, "State"), (.zip, "Postal code"), (.country, "Country")]

    subscript(field: Focus) -> TextField {
        get {
            switch field {
            case .street: street
            case .city: city
            case .state: state
            case .zip: zip
            default: country
            }
        }
        set {
            switch field {
            case .street: street = newValue
            case .city: city = newValue
            case .state: state = newValue
            case .zip: zip = newValue
            default: country = newValue
            }
        }
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if awaiting != nil { return key != .escape }
        if let action = keymap.action(for: key) {
            switch action {
            case .next: focus = focus.next
            case .previous: focus = focus.previous
            case .submit: submit(&ctx)
            }
            return true
        }
        switch focus {
        case .makeDefault:
            guard [.left, .right, .char(" "), .char("h"), .char("l")].contains(key) else { return false }
            isDefault.toggle()
        case .save:
            return false
        default:
            var field = self[focus]
            guard field.edit(key) else { return false }
            self[focus] = field
            fieldErrors[focus] = nil
        }
        dirty = true
        return true
    }

    /// Street, city, postal code and country are required (the state is optional).
    static func requiredErrors(street: String, city: String, zip: String, country: String) -> [String: String] {
        var errors: [String: String] = [:]
        for (name, value, label) in [("street", street, "Street"), ("city", city, "City"), ("zip", zip, "Postal code"), ("country", country, "Country")]
        where value.trimmingCharacters(in: .whitespaces).isEmpty {
            errors[name] = "\(label) is required"
        }
        return errors
    }

    static let serverFields: [String: Focus] = ["street": .street, "city": .city, "state": .state, "zip": .zip, "country": .country]

    mutating func submit(_ ctx: inout Context) {
        failure = nil
        fieldErrors = [:]
        for (name, message) in Self.requiredErrors(street: street.text, city: city.text, zip: zip.text, country: country.text) {
            fieldErrors[Self.serverFields[name]!] = message
        }
        if let first = Focus.allCases.first(where: { fieldErrors[$0] != nil }) {
            focus = first
            return
        }
        let draft = AddressInput(street: street.trimmed, city: city.trimmed, state: state.trimmed, zip: zip.trimmed, country: country.trimmed,
                                 isDefault: isDefault)
        awaiting = ctx.send(editing.map { .updateAddress(id: $0.id, draft) } ?? .addAddress(draft))
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard id == awaiting, case .addressSaved(let result) = reply else { return }
        awaiting = nil
        switch result {
        case .success:
            dirty = false
            ctx.notify(editing == nil ? "Address added." : "Address saved.")
            ctx.back()
        case .failure(let error):
            failure = error
            for field in error.fieldErrors { if let focus = Self.serverFields[field.field] { fieldErrors[focus] = field.message } }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        frame.write(editing == nil ? "A new address" : "Editing an address", x: form.left, y: form.top, role: .title, limit: area.maxX)
        var row = 2
        for (field, label) in Self.labels {
            form.drawField(&frame, label: label, field: self[field], row: row, focused: focus == field, error: fieldErrors[field], glyphs: env.glyphs)
            row += 2
        }
        frame.write("Default", x: form.left, y: form.top + row, role: focus == .makeDefault ? .heading : .label)
        frame.write(isDefault ? "(\(env.glyphs.online)) yes  ( ) no" : "( ) yes  (\(env.glyphs.online)) no", x: form.fieldX, y: form.top + row,
                    role: focus == .makeDefault ? .buttonFocused : .text)
        row += 2
        drawButton(&frame, editing == nil ? "Add address" : "Save changes", x: form.fieldX, y: form.top + row, focused: focus == .save)
    }
}
