import MarketplaceAPI

/// One input of a `Form`. Text fields carry the shared rule that checks them
/// (`InputRules`) and the names the server gives them in its field errors.
public struct FormField<ID: Hashable & Sendable>: Sendable {
    public enum Kind: Equatable, Sendable {
        /// Typed text.
        case text
        /// One of a few options, stepped with ←/→ (also h, l) or Space.
        case choice
        /// Pressed with Enter; ←/→ move along a row of buttons.
        case button
        /// A list with keys of its own: only Tab and Shift-Tab leave it.
        case list
        /// Text over several rows. Where the form types into areas (`typesIntoAreas`,
        /// a kiosk) it has the keys Enter and the arrows included, and only Tab and
        /// Shift-Tab leave it; elsewhere it is a preview that `e` and Enter submit
        /// (the screen opens an editor on it).
        case area
    }

    public let id: ID
    public let kind: Kind
    /// How the form names it ("Postal code"); text rules word their problems with it.
    public let label: String
    let blank: TextField
    let check: (@Sendable (String) -> String?)?
    /// The server's names for it: "street", "shippingAddress.street", "preferences.theme".
    let serverNames: [String]
    /// A choice's ←/→ help, or what Enter does on this button.
    let help: KeyHelp?

    /// Text whose problem `check` words (nil when the text is fine).
    public static func text(_ id: ID, _ label: String, maxLength: Int, secret: Bool = false, server: [String],
                            check: @escaping @Sendable (String) -> String?) -> Self {
        Self(id: id, kind: .text, label: label, blank: TextField(secret: secret, maxLength: maxLength), check: check, serverNames: server, help: nil)
    }

    /// Text checked by a shared rule, worded with this form's label.
    public static func text(_ id: ID, _ label: String, rule: TextRule, server: String...) -> Self {
        text(id, label, maxLength: rule.maximum, server: server) { rule.problem($0, label: label) }
    }

    public static func email(_ id: ID) -> Self {
        text(id, "Email", maxLength: InputRules.maximumEmailBytes, server: ["email"]) { InputRules.emailProblem($0) }
    }

    /// A password being chosen (its length rules apply) or typed to sign in (only required).
    public static func password(_ id: ID, new: Bool) -> Self {
        text(id, "Password", maxLength: InputRules.maximumPasswordBytes, secret: true, server: ["password"]) {
            new ? InputRules.newPasswordProblems($0).first : InputRules.signInPasswordProblem($0)
        }
    }

    public static func choice(_ id: ID, _ label: String, help: KeyHelp, server: String...) -> Self {
        Self(id: id, kind: .choice, label: label, blank: TextField(), check: nil, serverNames: server, help: help)
    }

    /// `enter`: what the help bar says Enter does while the button has focus, when not the form's submit.
    public static func button(_ id: ID, _ label: String, enter: String? = nil) -> Self {
        Self(id: id, kind: .button, label: label, blank: TextField(), check: nil, serverNames: [], help: enter.map { KeyHelp("Enter", $0) })
    }

    /// Multi-line text checked by a shared rule, worded with this form's label.
    public static func area(_ id: ID, _ label: String, rule: TextRule, server: String..., help: KeyHelp) -> Self {
        Self(id: id, kind: .area, label: label, blank: TextField(maxLength: rule.maximum), check: { rule.problem($0, label: label) },
             serverNames: server, help: help)
    }

    public static func list(_ id: ID, _ label: String) -> Self {
        Self(id: id, kind: .list, label: label, blank: TextField(), check: nil, serverNames: [], help: nil)
    }

    func answers(to serverName: String) -> Bool {
        // "images[2]" is a problem with the images field.
        serverNames.contains { serverName == $0 || serverName.hasPrefix($0 + "[") }
    }
}

/// What every form screen shares: its fields in focus order, the keys that move
/// between them, the typed text, the problems found before sending and the ones
/// the server sends back. Screens keep only what their form is for.
public struct Form<ID: Hashable & Sendable>: Sendable {
    /// What a key did, for the screen to act on.
    public enum Event: Equatable, Sendable {
        /// Focus moved, or the key was otherwise used up.
        case moved
        /// Text was typed into a field (its error is gone).
        case edited(ID)
        /// A choice stepped back (-1) or on (+1).
        case stepped(ID, by: Int)
        /// Enter, with the field or button that had focus.
        case submitted(ID)
        /// Not a form key: the screen (or the global keys) may use it.
        case ignored
    }

    public let fields: [FormField<ID>]
    public var focus: ID
    /// Problems shown under their fields.
    public var errors: [ID: String] = [:]
    /// Fields left out for now: not focused, not checked (a choice with nothing to choose).
    public var hidden: Set<ID> = []
    /// The request the form waits for, if any; its reply settles it.
    public var sending: RequestID?
    /// Why the last request failed, for the status row.
    public var failure: APIError?
    /// Something was typed or chosen since the form was filled (quitting asks first).
    public var changed = false
    /// While the form waits: Esc stops waiting, with this help, or (nil) is left to go back.
    let stopWaiting: KeyHelp?
    private var texts: [ID: TextField] = [:]
    private var areas: [ID: TextArea] = [:]
    /// Multi-line areas take typed keys (a kiosk, where no editor may be started);
    /// otherwise they are previews that `e` and Enter submit.
    public var typesIntoAreas = false

    public init(_ fields: [FormField<ID>], focus: ID? = nil, stopWaiting: KeyHelp? = nil) {
        precondition(!fields.isEmpty, "a form needs a field")
        self.fields = fields
        self.focus = focus ?? fields[0].id
        self.stopWaiting = stopWaiting
        for field in fields where field.kind == .text { texts[field.id] = field.blank }
        for field in fields where field.kind == .area { areas[field.id] = TextArea(maxLength: field.blank.maxLength) }
    }

    public subscript(id: ID) -> TextField {
        get { texts[id] ?? areas[id].map { TextField($0.text, maxLength: $0.maxLength) } ?? TextField() }
        set { texts[id] = newValue }
    }

    /// A multi-line area's state (cursor, rows on show).
    public func area(_ id: ID) -> TextArea? { areas[id] }

    /// Sets the columns and rows every area wraps to and shows (from the screen's layout).
    public mutating func layAreas(width: Int, height: Int) {
        for id in areas.keys where areas[id]!.width != max(1, width) || areas[id]!.height != max(1, height) {
            areas[id]!.width = max(1, width)
            areas[id]!.height = max(1, height)
            areas[id]!.scrollToCursor()
        }
    }

    /// The typed text as it is sent: composed and trimmed, as the server stores it.
    public func value(_ id: ID) -> String { InputRules.normalized(self[id].text) }

    /// Replaces what a field holds (a saved address chosen, a profile loaded).
    public mutating func set(_ id: ID, _ text: String) {
        guard let field = field(id) else { return }
        if let area = areas[id] {
            areas[id] = TextArea(text, maxLength: area.maxLength, width: area.width, height: area.height)
            return
        }
        texts[id] = TextField(text, secret: field.blank.isSecret, maxLength: field.blank.maxLength)
    }

    /// The fields Tab visits, in order.
    public var order: [ID] { fields.map(\.id).filter { !hidden.contains($0) } }

    public func field(_ id: ID) -> FormField<ID>? { fields.first { $0.id == id } }

    /// A text field has focus, so printable keys are typed rather than commands.
    public var capturesText: Bool { field(focus)?.kind == .text || (field(focus)?.kind == .area && typesIntoAreas) }

    /// Something has been typed into a shown field.
    public var hasText: Bool {
        texts.contains { !hidden.contains($0.key) && !$0.value.isEmpty } || areas.contains { !hidden.contains($0.key) && !$0.value.text.isEmpty }
    }

    public mutating func handle(_ key: Key) -> Event {
        if sending != nil {
            // Waiting for the server: keys wait too, except Esc.
            guard key == .escape else { return .moved }
            guard stopWaiting != nil else { return .ignored }
            sending = nil
            return .moved
        }
        let event = handleField(key)
        switch event {
        case .edited, .stepped: changed = true
        case .moved, .submitted, .ignored: break
        }
        return event
    }

    private mutating func handleField(_ key: Key) -> Event {
        let kind = field(focus)?.kind ?? .text
        // A list, and an area typed into, have the arrows and Enter.
        let ownKeys = kind == .list || (kind == .area && typesIntoAreas)
        switch key {
        case .tab: return moveFocus(by: 1)
        case .backTab: return moveFocus(by: -1)
        case .down where !ownKeys: return moveFocus(by: 1)
        case .up where !ownKeys: return moveFocus(by: -1)
        case .enter where !ownKeys: return .submitted(focus)
        default: break
        }
        switch kind {
        case .area where typesIntoAreas:
            guard areas[focus]?.edit(key) == true else { return .ignored }
            errors[focus] = nil
            return .edited(focus)
        case .area:
            return key == .char("e") ? .submitted(focus) : .ignored
        case .text:
            guard texts[focus]?.edit(key) == true else { return .ignored }
            errors[focus] = nil
            return .edited(focus)
        case .choice:
            switch key {
            case .left, .char("h"): return .stepped(focus, by: -1)
            case .right, .char("l"), .char(" "): return .stepped(focus, by: 1)
            default: return .ignored
            }
        case .button:
            // ←/→ walk along the buttons that stand next to each other.
            let step = [.left, .char("h")].contains(key) ? -1 : [.right, .char("l")].contains(key) ? 1 : 0
            guard step != 0 else { return .ignored }
            let order = order
            if let index = order.firstIndex(of: focus), order.indices.contains(index + step), field(order[index + step])?.kind == .button {
                focus = order[index + step]
            }
            return .moved
        case .list:
            return .ignored
        }
    }

    private mutating func moveFocus(by step: Int) -> Event {
        let order = order
        let index = order.firstIndex(of: focus) ?? 0
        focus = order[(index + step + order.count) % order.count]
        return .moved
    }

    /// Checks every shown field with its rule before anything is sent (the last
    /// failure is forgotten); focuses the first field with a problem. True when there is none.
    public mutating func validate() -> Bool {
        failure = nil
        errors = [:]
        for field in fields where !hidden.contains(field.id) {
            if let check = field.check, let problem = check(self[field.id].text) { errors[field.id] = problem }
        }
        guard let first = order.first(where: { errors[$0] != nil }) else { return true }
        focus = first
        return false
    }

    /// Sends the form's request; the form waits for its reply (`settle`).
    public mutating func send<Reply>(_ request: Request<Reply>, _ ctx: inout Context) {
        sending = ctx.send(request).id
    }

    /// The reply to the form's request, read as `Value`, or nil when it answers another (an older
    /// request, dropped). A failure also goes to the status row and under the fields it names.
    public mutating func settle<Value>(_ id: RequestID, _ reply: APIReply, as type: Value.Type) -> Result<Value, APIError>? {
        guard id == sending, let result = reply.result(as: type) else { return nil }
        sending = nil
        if case .failure(let error) = result {
            failure = error
            show(error)
        }
        return result
    }

    /// Puts the server's field errors under the fields they name.
    public mutating func show(_ error: APIError) {
        for problem in error.fieldErrors {
            if let field = fields.first(where: { $0.answers(to: problem.field) }) { errors[field.id] = problem.message }
        }
    }

    /// Tab, Shift-Tab and Enter as they work on the focused field, after its own
    /// ←/→ help; `submit` says what Enter does. A focused list adds its own keys.
    public func keyHelp(submit: KeyHelp) -> [KeyHelp] {
        let focused = field(focus)
        if focused?.kind == .list {
            return [KeyHelp("Tab", "next", long: "next field"), KeyHelp("S-Tab", "previous", long: "previous field", inBar: false)]
        }
        if focused?.kind == .area, typesIntoAreas {
            return [KeyHelp("Tab", "next", long: "next field (Enter starts a new line in a text area)"),
                    KeyHelp("S-Tab", "previous", long: "previous field", inBar: false),
                    KeyHelp("Enter", "new line", long: "a new line in a text area")]
        }
        if focused?.kind == .area, let edit = focused?.help {
            return [edit, KeyHelp("Tab", "next", long: "next field or button (also ↓)"),
                    KeyHelp("S-Tab", "previous", long: "previous field or button (also ↑)", inBar: false)]
        }
        var help = [KeyHelp("Tab", "next", long: "next field or button (also ↓)"),
                    KeyHelp("S-Tab", "previous", long: "previous field or button (also ↑)", inBar: false),
                    KeyHelp("Enter", focused?.kind == .button ? focused?.help?.short ?? submit.short : submit.short, long: submit.long, primary: true)]
        if focused?.kind == .choice, let choice = focused?.help { help.insert(choice, at: 0) }
        if sending != nil, let stopWaiting { help.append(stopWaiting) }
        return help
    }

    // MARK: Drawing

    /// A text field with its label and, on the row below, its error (or `hint`, muted, while it has focus).
    public func drawText(_ id: ID, _ frame: inout Frame, _ layout: FormLayout, row: Int, glyphs: Glyphs, hint: String? = nil) {
        let focused = focus == id
        layout.drawField(&frame, label: field(id)?.label ?? "", field: self[id], row: row, focused: focused,
                         error: errors[id] ?? (focused ? hint : nil), glyphs: glyphs)
        if errors[id] == nil, focused, hint != nil {
            frame.paint(Rect(x: layout.fieldX, y: layout.top + row + 1, width: layout.fieldWidth, height: 1), role: .muted)
        }
    }

    /// A multi-line area with its label and, on the row under it, its error (or `hint`, muted,
    /// while it has focus); returns the row after that.
    @discardableResult
    public func drawArea(_ id: ID, _ frame: inout Frame, _ layout: FormLayout, row: Int, glyphs: Glyphs, hint: String? = nil) -> Int {
        guard let area = areas[id] else { return row }
        let focused = focus == id
        frame.write(field(id)?.label ?? "", x: layout.left, y: layout.top + row, role: focused ? .heading : .label)
        area.draw(&frame, x: layout.fieldX, y: layout.top + row, focused: focused, typing: typesIntoAreas, glyphs: glyphs)
        let below = layout.top + row + area.height
        if let message = errors[id] ?? (focused ? hint : nil) {
            frame.write(TextWidth.truncate(message, to: layout.fieldWidth, ellipsis: glyphs.ellipsis), x: layout.fieldX, y: below,
                        role: errors[id] == nil ? .muted : .error)
        }
        return row + area.height + 1
    }

    /// Text fields one under the other, two rows apart from `row`; returns the row after the last.
    @discardableResult
    public func drawTexts(_ ids: [ID], _ frame: inout Frame, _ layout: FormLayout, from row: Int, glyphs: Glyphs, hints: [ID: String] = [:]) -> Int {
        for (index, id) in ids.enumerated() {
            drawText(id, &frame, layout, row: row + 2 * index, glyphs: glyphs, hint: hints[id])
        }
        return row + 2 * ids.count
    }

    /// A field's label, lit while it has focus.
    public func drawLabel(_ id: ID, _ frame: inout Frame, _ layout: FormLayout, row: Int) {
        frame.write(field(id)?.label ?? "", x: layout.left, y: layout.top + row, role: focus == id ? .heading : .label)
    }

    /// A choice: its label, then what is chosen, lit while it has focus.
    public func drawChoice(_ id: ID, _ frame: inout Frame, _ layout: FormLayout, row: Int, showing text: String, glyphs: Glyphs) {
        drawLabel(id, &frame, layout, row: row)
        frame.write(TextWidth.truncate(text, to: layout.fieldWidth, ellipsis: glyphs.ellipsis), x: layout.fieldX, y: layout.top + row,
                    role: focus == id ? .buttonFocused : .text)
    }

    /// A choice shown as all its options side by side, `gap` columns apart.
    public func drawOptions(_ id: ID, _ frame: inout Frame, _ layout: FormLayout, row: Int, options: [(text: String, chosen: Bool)], gap: Int) {
        drawLabel(id, &frame, layout, row: row)
        var x = layout.fieldX
        for option in options {
            let role: ThemeRole = option.chosen ? (focus == id ? .buttonFocused : .selection) : .text
            x = frame.write(option.text, x: x, y: layout.top + row, role: role) + gap
        }
    }

    /// A button, labelled as its field unless `label` says otherwise; returns the column after it.
    @discardableResult
    public func drawButton(_ id: ID, _ frame: inout Frame, x: Int, y: Int, label: String? = nil) -> Int {
        StorefrontCore.drawButton(&frame, label ?? field(id)?.label ?? "", x: x, y: y, focused: focus == id)
    }
}

/// A screen that is mostly a form: whether keys are typed, the status row and
/// the keys come from its form unless it says otherwise.
/// Its keys go through `handleForm`, which leaves the screen only what Enter,
/// a choice and an edit mean for it.
public protocol FormScreen: ScreenState {
    associatedtype Field: Hashable & Sendable
    var form: Form<Field> { get set }
    /// What Enter does, for the help bar and `?`.
    var submitHelp: KeyHelp { get }
    /// Enter, on `field` (a button, or any field for the form's own action).
    mutating func submit(_ field: Field, _ ctx: inout Context)
    /// A choice stepped back (-1) or on (+1).
    mutating func step(_ field: Field, by step: Int)
    /// Text was typed into `field`.
    mutating func edited(_ field: Field)
}

public extension FormScreen {
    var capturesText: Bool { form.capturesText }
    var hasUnsavedInput: Bool { form.changed }
    var status: StatusText? { form.failure?.statusText(retryKey: "Enter") }
    var keyHelp: [KeyHelp] { form.keyHelp(submit: submitHelp) }

    /// The form keeps what was typed; only the "session expired" refusal goes, so Enter sends it again.
    mutating func sessionResumed() {
        if form.failure?.endsSession == true { form.failure = nil }
    }

    mutating func step(_ field: Field, by step: Int) {}
    mutating func edited(_ field: Field) {}

    mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool { handleForm(key, &ctx) }

    /// The form's keys; false when the key is not one (the screen's own or the global keys may use it).
    mutating func handleForm(_ key: Key, _ ctx: inout Context) -> Bool {
        switch form.handle(key) {
        case .ignored: return false
        case .submitted(let field): submit(field, &ctx)
        case .stepped(let field, let by): step(field, by: by)
        case .edited(let field): edited(field)
        case .moved: break
        }
        return true
    }
}

public extension KeyHelp {
    /// Esc while a form waits for the server.
    static let stopWaiting = KeyHelp("Esc", "cancel", long: "stop waiting for the server")
}

/// Draws a button "[ Sign in ]"; returns the column after it.
@discardableResult
func drawButton(_ frame: inout Frame, _ label: String, x: Int, y: Int, focused: Bool) -> Int {
    frame.write("[ \(label) ]", x: x, y: y, role: focused ? .buttonFocused : .button)
}

/// Where a form sits in the content area, the same for every form screen.
public struct FormLayout {
    let left: Int
    let fieldX: Int
    let fieldWidth: Int
    let top: Int

    init(_ area: Rect) {
        let width = min(area.width - 4, 66)
        left = area.x + (area.width - width) / 2
        fieldX = left + 12
        fieldWidth = width - 12
        top = area.y + (area.height >= 24 ? 3 : 1)
    }

    /// A label, its field and, on the row below, its error if any.
    func drawField(_ frame: inout Frame, label: String, field: TextField, row: Int, focused: Bool, error: String?, glyphs: Glyphs) {
        frame.write(label, x: left, y: top + row, role: focused ? .heading : .label)
        field.draw(&frame, x: fieldX, y: top + row, width: fieldWidth, focused: focused, glyphs: glyphs)
        if let error {
            frame.write(TextWidth.truncate(error, to: fieldWidth, ellipsis: glyphs.ellipsis), x: fieldX, y: top + row + 1, role: .error)
        }
    }

    /// "(●) yes  ( ) no"
    static func yesNo(_ yes: Bool, glyphs: Glyphs) -> String {
        yes ? "(\(glyphs.online)) yes  ( ) no" : "( ) yes  (\(glyphs.online)) no"
    }
}
