import MarketplaceAPI

/// Create or edit a product: name, description, price, category, image URLs.
public struct ProductFormScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case name, description, price, category, images, save }
    enum Action: Sendable { case next, previous, submit }

    public var editing: Product?
    public var name: TextField
    public var description: TextField
    public var price: TextField
    public var category: TextField
    public var images: TextField
    public var focus: Focus = .name
    public var fieldErrors: [Focus: String] = [:]
    public var dirty = false
    var awaiting: RequestID?
    public var failure: APIError?

    public init(editing: Product? = nil) {
        self.editing = editing
        name = TextField(editing?.name ?? "", maxLength: 255)
        description = TextField(editing?.description ?? "", maxLength: 2000)
        price = TextField(editing?.price.description ?? "", maxLength: 12)
        category = TextField(editing?.category ?? "", maxLength: 100)
        images = TextField(editing?.images.joined(separator: " ") ?? "", maxLength: 2000)
    }

    public var title: String { editing == nil ? "New product" : "Edit \(editing!.name)" }
    public var capturesText: Bool { focus != .save }
    public var hasUnsavedInput: Bool { dirty }
    public var busyLabel: String? { awaiting == nil ? nil : "Saving the product…" }
    public var status: StatusText? { failure?.statusText(retryKey: "Enter") }

    var keymap: Keymap<Action> {
        Keymap([
            KeyBinding([.tab, .down], KeyHelp("Tab", "next", long: "next field (also ↓)"), .next),
            KeyBinding([.backTab, .up], KeyHelp("S-Tab", "previous", long: "previous field (also ↑)", inBar: false), .previous),
            KeyBinding([.enter], KeyHelp("Enter", "save", long: "save the product"), .submit),
        ])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    subscript(field: Focus) -> TextField {
        get {
            switch field {
            case .name: name
            case .description: description
            case .price: price
            case .category: category
            default: images
            }
        }
        set {
            switch field {
            case .name: name = newValue
            case .description: description = newValue
            case .price: price = newValue
            case .category: category = newValue
            default: images = newValue
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
        guard focus != .save else { return false }
        var field = self[focus]
        guard field.edit(key) else { return false }
        self[focus] = field
        fieldErrors[focus] = nil
        dirty = true
        return true
    }

    mutating func submit(_ ctx: inout Context) {
        fieldErrors = [:]
        failure = nil
        if name.trimmed.isEmpty { fieldErrors[.name] = "Name is required" }
        if description.trimmed.isEmpty { fieldErrors[.description] = "Description is required" }
        if category.trimmed.isEmpty { fieldErrors[.category] = "Category is required" }
        let money = Money(price.trimmed)
        if money == nil { fieldErrors[.price] = "Price like 12.50: a number ≥ 0 with at most 2 decimals" }
        let urls = images.trimmed.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if urls.contains(where: { !($0.hasPrefix("http://") || $0.hasPrefix("https://")) }) { fieldErrors[.images] = "Images are http(s) URLs, separated by spaces" }
        if let first = Focus.allCases.first(where: { fieldErrors[$0] != nil }) {
            focus = first
            return
        }
        let draft = ProductDraft(name: name.trimmed, description: description.trimmed, price: money!, category: category.trimmed, images: urls)
        awaiting = ctx.send(editing.map { .updateProduct(id: $0.id, draft) } ?? .createProduct(draft))
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard id == awaiting, case .productSaved(let result) = reply else { return }
        awaiting = nil
        switch result {
        case .success(let product):
            dirty = false
            ctx.notify("\(product.name) \(editing == nil ? "created" : "saved"). Add stock with +.")
            ctx.back()
        case .failure(let error):
            failure = error
            let fields: [String: Focus] = ["name": .name, "description": .description, "price": .price, "category": .category, "images": .images]
            for field in error.fieldErrors { if let focus = fields[field.field] { fieldErrors[focus] = field.message } }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        frame.write(editing == nil ? "A new product" : "Editing \(editing!.name)", x: form.left, y: form.top, role: .title, limit: area.maxX)
        var row = 2
        for (field, label) in [(Focus.name, "Name"), (.description, "Description"), (.price, "Price $"), (.category, "Category"), (.images, "Image URLs")] {
            form.drawField(&frame, label: label, field: self[field], row: row, focused: focus == field, error: fieldErrors[field], glyphs: env.glyphs)
            row += 2
        }
        drawButton(&frame, editing == nil ? "Create product" : "Save changes", x: form.fieldX, y: form.top + row, focused: focus == .save)
    }
}
