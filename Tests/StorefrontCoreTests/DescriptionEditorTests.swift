import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// The product description: outside a kiosk, `e` (or Enter) on it opens the
/// user's editor through the runtime; in a kiosk it is a text area typed in place.
@Suite("the product description's editor and text area")
struct DescriptionEditorTests {
    static let longDescription = """
        Hand-pressed from late-harvest Picual olives grown on the terraces above Jaén, this oil is bottled within a day of pressing.

        Tasting notes: green tomato leaf, almond skin and a long peppery finish that catches the back of the throat.
        Use it raw: over warm bread, grilled vegetables or a bowl of white beans.

        Storage: keep away from light and heat; best within 18 months of the harvest date printed on the label.
        """

    static func vendor(_ size: Size) -> Session {
        Session(token: "t", user: UserSummary(id: ann.id, name: "Ann Lee", email: ann.email, role: .vendor))
    }

    /// A vendor editing the first fixture product; in a kiosk when `kiosk`.
    static func editing(kiosk: Bool, description: String? = nil, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
        var product = fixtureProducts()[0]
        if let description { product.description = description }
        var model = Model(options: AppOptions(serverURL: "http://127.0.0.1:9", themeExplicit: true, kiosk: kiosk, kioskIdleSeconds: 30),
                          size: size, glyphs: glyphs)
        model.session = vendor(size)
        model.history = [VendorScreen()]
        model.screen = ProductFormScreen(editing: product)
        var ctx = model.context()
        model.screen.appear(&ctx)
        var commands: [Command] = []
        model.apply(ctx, commands: &commands)
        return model
    }

    static func form(_ model: Model) -> ProductFormScreen { model.screen as! ProductFormScreen }

    @Test func eOnTheDescriptionAsksTheRuntimeToEditItsCurrentText() {
        let model = Self.editing(kiosk: false)
        let text = Self.form(model).form[.description].text
        let (focused, none) = run(model, [key(.tab)])
        #expect(none.isEmpty)
        #expect(Self.form(focused).form.focus == .description)
        #expect(!focused.screen.capturesText, "the preview is not typed into: ? and q keep their meaning")
        #expect(run(focused, keys("e")).1 == [.editText(text)])
        #expect(run(focused, [key(.enter)]).1 == [.editText(text)])
        // Elsewhere in the form, e is a letter.
        let (typed, commands) = run(model, keys("e"))
        #expect(commands.isEmpty)
        #expect(Self.form(typed).form[.name].text.hasSuffix("e"))
    }

    @Test func theHelpNamesTheEditorKeyOutsideAKioskOnly() {
        let model = Self.editing(kiosk: false)
        #expect(model.allKeyHelp.contains { $0.keys == "e" && !$0.inBar }, "? names e from any field")
        let focused = run(model, [key(.tab)]).0
        #expect(focused.allKeyHelp.contains { $0.keys == "e" && $0.inBar && $0.primary })
        #expect(view(run(focused, [key(.char("?"))]).0).text().contains("on the description: edit it in $VISUAL"))
        let kiosk = Self.editing(kiosk: true)
        #expect(!kiosk.allKeyHelp.contains { $0.keys == "e" })
        #expect(!run(kiosk, [key(.tab)]).0.allKeyHelp.contains { $0.keys == "e" })
    }

    @Test func theEditedTextComesBackToTheFormAndIsSaved() throws {
        let (focused, _) = run(Self.editing(kiosk: false), [key(.tab), key(.char("e"))])
        let (edited, none) = run(focused, [.editorClosed(.edited("First line.\r\nSecond line.\n\n"))])
        #expect(none.isEmpty)
        #expect(Self.form(edited).form[.description].text == "First line.\nSecond line.")
        #expect(Self.form(edited).form.errors[.description] == nil)
        #expect(edited.screen.hasUnsavedInput)
        let (_, commands) = run(edited, [key(.tab), key(.tab), key(.tab), key(.tab), key(.enter)])
        let body = try #require(commands.first?.sentRequest?.1.body(as: ProductInput.self))
        #expect(body.description == "First line.\nSecond line.")
    }

    @Test func anEditedTextBreakingTheRuleShowsTheUsualFieldError() {
        let (focused, _) = run(Self.editing(kiosk: false), [key(.tab)])
        let tooLong = String(repeating: "a", count: InputRules.productDescription.maximum + 1)
        let (edited, _) = run(focused, [.editorClosed(.edited(tooLong))])
        #expect(Self.form(edited).form.errors[.description] == InputRules.productDescription.problem(tooLong, label: "Description"))
        #expect(Self.form(edited).form.errors[.description] == "Description must be at most 10000 characters")
        let (emptied, _) = run(focused, [.editorClosed(.edited("\n"))])
        #expect(Self.form(emptied).form.errors[.description] == "Description is required")
        // Saving is refused until it is fixed.
        let (refused, commands) = run(edited, [key(.tab), key(.tab), key(.tab), key(.tab), key(.enter)])
        #expect(commands.isEmpty)
        #expect(Self.form(refused).form.focus == .description)
    }

    @Test(arguments: [(EditorOutcome.failed(status: 1), "The editor exited with status 1: the description is unchanged."),
                      (.unreadable, "The edited file could not be read: the description is unchanged."),
                      (.couldNotStart, "No editor could be started: the description is unchanged.")])
    func aFailedEditLeavesTheDescriptionWithAMessage(outcome: EditorOutcome, message: String) {
        let (focused, _) = run(Self.editing(kiosk: false), [key(.tab)])
        let before = Self.form(focused).form[.description].text
        let (after, commands) = run(focused, [.editorClosed(outcome)])
        #expect(commands.isEmpty)
        #expect(Self.form(after).form[.description].text == before)
        #expect(!after.screen.hasUnsavedInput)
        #expect(after.notice == StatusText(message, role: .error))
        #expect(view(after).text().contains("The editor exited") == (outcome == .failed(status: 1)))
    }

    @Test func aKioskTypesIntoTheDescriptionAndNeverStartsAnEditor() {
        let model = Self.editing(kiosk: true, description: "ab")
        let (typed, commands) = run(model, [key(.tab)] + keys("e") + [key(.enter)] + keys("cd") + [key(.up), key(.char("X")), key(.tab)])
        #expect(commands.isEmpty, "no editor command in a kiosk")
        #expect(!commands.contains { if case .editText = $0 { true } else { false } })
        let form = Self.form(typed).form
        #expect(form[.description].text == "abXe\ncd")
        #expect(form.focus == .price, "Tab leaves the text area")
        #expect(run(model, [key(.tab)]).0.screen.capturesText)
    }

    @Test func theTextAreaWrapsAtWordsAndMovesByRow() {
        var area = TextArea("one two three four\nfive", width: 9, height: 2)
        #expect(area.rows.map { String(Array(area.text)[$0]) } == ["one two ", "three ", "four", "five"])
        #expect(area.cursor == area.text.count)
        #expect(area.top == 2, "scrolled to the cursor's row")
        _ = area.edit(.up)
        #expect(area.cursor == 18, "up keeps the column: the end of \"four\"")
        _ = area.edit(.up)
        _ = area.edit(.up)
        #expect(area.cursor == 4 && area.top == 0)
        _ = area.edit(.end)
        #expect(area.cursor == 7, "End stops before the row's wrap point")
        _ = area.edit(.home)
        #expect(area.cursor == 0)
        _ = area.edit(.down)
        #expect(area.cursor == 8)
        let used = area.edit(.tab)
        #expect(!used)
    }
}
