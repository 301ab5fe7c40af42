import MarketplaceAPI

/// Create or edit a product: name, description, price, category, image URLs.
public struct ProductFormScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case name, description, price, category, images, save }

    public var editing: Product?
    public var form: Form<Focus>

    public init(editing: Product? = nil) {
        self.editing = editing
        form = Form([
            .text(.name, "Name", rule: InputRules.productName, server: "name"),
            .text(.description, "Description", rule: InputRules.productDescription, server: "description"),
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
        let row = form.drawTexts([.name, .description, .price, .category, .images], &frame, layout, from: 2, glyphs: env.glyphs)
        form.drawButton(.save, &frame, x: layout.fieldX, y: layout.top + row)
    }
}
