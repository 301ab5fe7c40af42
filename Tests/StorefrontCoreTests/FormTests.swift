import MarketplaceAPI
import Testing
@testable import StorefrontCore

@Suite("components: the form")
struct FormTests {
    enum Field: Hashable, Sendable { case street, zip, images, theme, ok, cancel }

    func form() -> Form<Field> {
        Form([
            .text(.street, "Street", rule: InputRules.AddressField.street.shippingRule, server: "street", "shippingAddress.street"),
            .text(.zip, "Postal code", rule: InputRules.AddressField.zip.shippingRule, server: "zip", "shippingAddress.zip"),
            .text(.images, "Images", maxLength: 100, server: ["images"]) { _ in nil },
            .choice(.theme, "Theme", help: KeyHelp("←/→", "change"), server: "preferences.theme"),
            .button(.ok, "OK"),
            .button(.cancel, "Cancel", enter: "cancel"),
        ])
    }

    @Test func tabAndArrowsMoveThroughTheShownFieldsAndWrap() {
        var form = form()
        var event: Form<Field>.Event
        form.hidden = [.images]
        event = form.handle(.tab)
        #expect(event == .moved && form.focus == .zip)
        event = form.handle(.down)
        #expect(event == .moved && form.focus == .theme)
        event = form.handle(.backTab)
        #expect(event == .moved && form.focus == .zip)
        form.focus = .cancel
        event = form.handle(.tab)
        #expect(event == .moved && form.focus == .street)
        event = form.handle(.up)
        #expect(event == .moved && form.focus == .cancel)
        event = form.handle(.left)
        #expect(event == .moved && form.focus == .ok)
        event = form.handle(.left)
        #expect(event == .moved && form.focus == .ok)  // the theme choice is no button
        event = form.handle(.char("l"))
        #expect(event == .moved && form.focus == .cancel)
        #expect(form.keyHelp(submit: KeyHelp("Enter", "save")).map(\.short) == ["next", "previous", "cancel"])
        event = form.handle(.enter)
        #expect(event == .submitted(.cancel))
    }

    @Test func typingEditsTheFocusedFieldAndClearsItsErrorChoicesStep() {
        var form = form()
        var event: Form<Field>.Event
        let valid = form.validate()
        #expect(!valid)
        #expect(form.errors == [.street: "Street is required", .zip: "Postal code is required"])
        event = form.handle(.char("9"))
        #expect(event == .edited(.street))
        #expect(form.errors == [.zip: "Postal code is required"])
        form.focus = .theme
        #expect(!form.capturesText)
        event = form.handle(.char("h"))
        #expect(event == .stepped(.theme, by: -1))
        event = form.handle(.char(" "))
        #expect(event == .stepped(.theme, by: 1))
        event = form.handle(.char("q"))
        #expect(event == .ignored)
        #expect(form.keyHelp(submit: KeyHelp("Enter", "save")).first?.keys == "←/→")
    }

    @Test func aFailedCheckFocusesTheFirstFieldWithAProblem() {
        var form = form()
        form.set(.street, "1 Rue Neuve")
        form.focus = .ok
        let refused = form.validate()
        #expect(!refused && form.focus == .zip)
        form.set(.zip, " 69001 ")
        let accepted = form.validate()
        #expect(accepted && form.value(.zip) == "69001")
    }

    @Test func theServersFieldNamesLandUnderTheirFields() {
        var form = form()
        form.show(.server(code: .validationFailed, message: "Validation failed", fieldErrors: [
            FieldError(field: "shippingAddress.street", message: "street is required"),
            FieldError(field: "images[2]", message: "Image must be an http or https URL of at most 2048 characters"),
            FieldError(field: "preferences.theme", message: "Theme must be one of light, dark, high-contrast, mono"),
            FieldError(field: "somethingElse", message: "not a field of this form"),
        ]))
        #expect(form.errors == [.street: "street is required", .images: "Image must be an http or https URL of at most 2048 characters",
                                .theme: "Theme must be one of light, dark, high-contrast, mono"])
    }
}
