import MarketplaceAPI

/// Create or edit a product: name, description, price, category, image URLs.
///
/// The description is long text over several rows. Outside a kiosk it is a
/// preview that is not typed into: `e` (or Enter) opens the user's own editor on
/// it, so a 2,000-character text gets a real editor, and every letter typed
/// elsewhere stays a letter (Ctrl-E is End in every text field). In a kiosk,
/// where no program may be started, it is a text area typed in place.
public struct ProductFormScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case name, description, price, category, images, save }

    public var editing: Product?
    public var form: Form<Focus>

    public init(editing: Product? = nil) {
        self.editing = editing
        form = Form([
            .text(.name, "Name", rule: InputRules.productName, server: "name"),
            .area(.description, "Description", rule: InputRules.productDescription, server: "description", help: Self.editHelp),
            .text(.price, "Price $", maxLength: InputRules.maximumPrice.description.count, server: ["price"]) {
                Self.price($0) == nil ? "Price like 12.50: a number ≥ 0 with at most 2 decimals" : nil
            },
            .text(.category, "Category", rule: InputRules.productCategory, server: "category"),
            .text(.images, "Image URLs", maxLength: InputRules.maximumImages * (InputRules.maximumImageURLLength + 1), server: ["images"]) {
                Self.imagesProblem(Self.imageURLs($0))
            },
            .button(.save, editing == nil ? "Create product" : "Save changes"),
        ])
        if let editing {
            form.set(.name, editing.name)
            form.set(.description, editing.description)
            form.set(.price, editing.price.description)
            form.set(.category, editing.category)
            form.set(.images, editing.images.joined(separator: " "))
        }
    }

    static let editHelp = KeyHelp("e", "edit", long: "on the description: edit it in $VISUAL, else $EDITOR, else vi (also Enter); a kiosk types it in place",
                                  primary: true)

    /// The form's keys; `?` names e on every field (the bar only on the description), except in a kiosk.
    public var keyHelp: [KeyHelp] {
        var help = form.keyHelp(submit: submitHelp)
        if !form.typesIntoAreas, form.focus != .description {
            help.append(KeyHelp(Self.editHelp.keys, Self.editHelp.short, long: Self.editHelp.long, inBar: false))
        }
        return help
    }

    /// Rows the description shows: as many as the area leaves (at most 6), the rest of the form under it.
    static func descriptionRows(_ area: Rect) -> Int { max(1, min(6, area.height - 13)) }

    /// The description's wrap width and rows for the area the screen draws in; a kiosk types into it.
    mutating func lay(_ ctx: Context) {
        form.typesIntoAreas = ctx.options.kiosk
        form.layAreas(width: FormLayout(ctx.area).fieldWidth, height: Self.descriptionRows(ctx.area))
    }

    public mutating func appear(_ ctx: inout Context) { lay(ctx) }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        lay(ctx)
        return handleForm(key, &ctx)
    }

    public mutating func editorClosed(_ outcome: EditorOutcome, _ ctx: inout Context) {
        switch outcome {
        case .edited(var text):
            // Editors end the file with a line break, and some write CR LF.
            text = text.replacingOccurrences(of: "\r\n", with: "\n")
            while text.last?.isNewline == true { text.removeLast() }
            guard text != form[.description].text else { return }
            form.set(.description, text)
            form.changed = true
            form.errors[.description] = form.field(.description)?.check?(text)
        case .failed(let status):
            ctx.notify("The editor exited with status \(status): the description is unchanged.", role: .error)
        case .unreadable:
            ctx.notify("The edited file could not be read: the description is unchanged.", role: .error)
        case .couldNotStart:
            ctx.notify("No editor could be started: the description is unchanged.", role: .error)
        }
    }

    static func price(_ text: String) -> Money? {
        Money(InputRules.trimmed(text)).flatMap { InputRules.price($0.amount) }
    }

    static func imageURLs(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    }

    static func imagesProblem(_ urls: [String]) -> String? {
        if let problem = InputRules.imageCountProblem(urls.count) { return problem }
        return urls.allSatisfy(InputRules.isImageURL) ? nil : "Images are http(s) URLs, separated by spaces"
    }

    public var title: String { editing == nil ? "New product" : "Edit \(editing!.name)" }
    public var busyLabel: String? { form.sending == nil ? nil : "Saving the product…" }
    public var submitHelp: KeyHelp { KeyHelp("Enter", "save", long: "save the product") }

    public mutating func submit(_ field: Focus, _ ctx: inout Context) {
        if field == .description && !form.typesIntoAreas {
            ctx.editInEditor(form[.description].text)
            return
        }
        guard form.validate(), let price = Self.price(form[.price].text) else { return }
        let draft = ProductInput(name: form.value(.name), description: form.value(.description), price: price, category: form.value(.category),
                                 images: Self.imageURLs(form[.images].text))
        form.send(editing.map { .data(Endpoints.updateProduct, $0.id, body: draft) } ?? .data(Endpoints.createProduct, body: draft), &ctx)
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard case .success(let product)? = form.settle(id, reply, as: Product.self) else { return }
        form.changed = false
        ctx.notify("\(product.name) \(editing == nil ? "created" : "saved"). Add stock with +.")
        ctx.back()
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = FormLayout(area)
        frame.write(editing == nil ? "A new product" : "Editing \(editing!.name)", x: layout.left, y: layout.top, role: .title, limit: area.maxX)
        // Laid out for this area (the terminal may have changed size since the last key).
        var form = form
        form.layAreas(width: layout.fieldWidth, height: Self.descriptionRows(area))
        form.drawText(.name, &frame, layout, row: 2, glyphs: env.glyphs)
        let hint = form.typesIntoAreas ? nil : "e or Enter: edit in your editor"
        var row = form.drawArea(.description, &frame, layout, row: 4, glyphs: env.glyphs, hint: hint)
        row = form.drawTexts([.price, .category, .images], &frame, layout, from: row, glyphs: env.glyphs)
        form.drawButton(.save, &frame, x: layout.fieldX, y: layout.top + row)
    }
}
