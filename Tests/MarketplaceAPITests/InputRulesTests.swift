import Foundation
import Testing
@testable import MarketplaceAPI

/// One row of the table: a rule, an input, and the problem it must report (nil: accepted).
struct RuleCase: CustomTestStringConvertible, Sendable {
    let rule: String
    let input: String
    let problem: String?
    let check: @Sendable () -> String?

    init(_ rule: String, _ input: String, _ problem: String?, _ check: @escaping @Sendable () -> String?) {
        self.rule = rule
        self.input = input
        self.problem = problem
        self.check = check
    }

    var testDescription: String { "\(rule)(\(input.count > 24 ? String(input.prefix(21)) + "…" : input))" }
}

/// Rules answering yes or no report this word when they refuse.
private let refused = "refused"

private func email(_ text: String, _ problem: String?) -> RuleCase {
    RuleCase("email", text, problem) { InputRules.emailProblem(text) }
}

private func newPassword(_ text: String, _ problem: String?) -> RuleCase {
    RuleCase("newPassword", text, problem) { InputRules.newPasswordProblems(text).first }
}

private func text(_ rule: TextRule, _ value: String, label: String? = nil, _ problem: String?) -> RuleCase {
    RuleCase("text \(label ?? rule.label)", value, problem) { rule.problem(value, label: label) }
}

private func phone(_ text: String, accepted: Bool) -> RuleCase {
    RuleCase("phone", text, accepted ? nil : refused) { InputRules.phoneProblem(text) == nil ? nil : refused }
}

private func price(_ text: String, accepted: Bool) -> RuleCase {
    RuleCase("price", text, accepted ? nil : InputRules.priceProblem) {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")).flatMap(InputRules.price) == nil ? InputRules.priceProblem : nil
    }
}

private func imageURL(_ text: String, accepted: Bool) -> RuleCase {
    RuleCase("imageURL", text, accepted ? nil : refused) { InputRules.isImageURL(text) ? nil : refused }
}

private func quantity(_ value: Int, accepted: Bool) -> RuleCase {
    RuleCase("cartQuantity", String(value), accepted ? nil : "quantity must be a whole number from 1 to 1000") { InputRules.cartQuantityProblem(value) }
}

private func paymentMethod(_ text: String, _ problem: String?) -> RuleCase {
    RuleCase("paymentMethod", text, problem) { InputRules.paymentMethodProblem(text) }
}

private func idempotencyKey(_ text: String, accepted: Bool) -> RuleCase {
    RuleCase("idempotencyKey", text, accepted ? nil : refused) { InputRules.isIdempotencyKey(text) ? nil : refused }
}

private let invalidEmail = "Email must be a valid address like name@example.com"

@Suite struct InputRulesTests {
    static let cases: [RuleCase] = [
        email("ann@example.com", nil),
        email("  Ann.Lee@Example.COM ", nil),
        email("a@b.co", nil),
        email("zoë@例え.jp", nil),
        email("a@b.c", invalidEmail),
        email("", "Email is required"),
        email("ann", invalidEmail),
        email("ann@example", invalidEmail),
        email("@example.com", invalidEmail),
        email("ann@@example.com", invalidEmail),
        email("an n@example.com", invalidEmail),
        email("ann@example..com", invalidEmail),
        email("ann@-example.com", invalidEmail),
        email("ann@exa_mple.com", invalidEmail),
        email(String(repeating: "a", count: 65) + "@example.com", invalidEmail),
        email("ann@" + String(repeating: "a", count: 248) + ".com", invalidEmail),

        newPassword("", "Password is required"),
        newPassword("12345", "Password must be at least 6 characters"),
        newPassword("123456", nil),
        newPassword(String(repeating: "a", count: 72), nil),
        newPassword(String(repeating: "a", count: 73), "Password must be at most 72 bytes"),
        newPassword(String(repeating: "é", count: 37), "Password must be at most 72 bytes"),
        RuleCase("signInPassword", "1", nil) { InputRules.signInPasswordProblem("1") },
        RuleCase("signInPassword", "", "Password is required") { InputRules.signInPasswordProblem("") },

        text(InputRules.accountName, "Ann Lee", nil),
        text(InputRules.accountName, "   ", "Name is required"),
        text(InputRules.accountName, String(repeating: "n", count: 255), nil),
        text(InputRules.accountName, String(repeating: "n", count: 256), "Name must be at most 255 characters"),
        text(InputRules.AddressField.street.rule, "", "Street is required"),
        text(InputRules.AddressField.state.rule, "", nil),
        text(InputRules.AddressField.zip.rule, "", nil),
        text(InputRules.AddressField.zip.shippingRule, "", "Zip is required"),
        text(InputRules.AddressField.zip.shippingRule, " ", label: "Postal code", "Postal code is required"),
        text(InputRules.AddressField.zip.rule, String(repeating: "9", count: 21), label: "Postal code", "Postal code must be at most 20 characters"),
        text(InputRules.AddressField.country.rule, String(repeating: "c", count: 101), "Country must be at most 100 characters"),
        text(InputRules.productDescription, String(repeating: "d", count: 10_000), nil),
        text(InputRules.productDescription, String(repeating: "d", count: 10_001), "Description must be at most 10000 characters"),
        text(InputRules.productCategory, "Kitchen & Garden", nil),

        phone("+33 6 12 34 56 78", accepted: true),
        phone("(555) 123-4567", accepted: true),
        phone("", accepted: true),
        phone("123456", accepted: false),
        phone("1234567", accepted: true),
        phone("1234567890123456", accepted: false),
        phone("1+2345678", accepted: false),
        phone("12a45678", accepted: false),
        phone("+1 555 123 4567 8 9 0", accepted: false),

        RuleCase("theme", "mono", nil) { InputRules.themeProblem("mono") },
        RuleCase("theme", "sepia", "Theme must be one of dark, light, high-contrast, mono") { InputRules.themeProblem("sepia") },

        price("0", accepted: true),
        price("12.50", accepted: true),
        price("99999999.99", accepted: true),
        price("100000000", accepted: false),
        price("1.234", accepted: false),
        price("-1", accepted: false),

        imageURL("https://images.example.com/a.jpg", accepted: true),
        imageURL("http://x.io", accepted: true),
        imageURL("ftp://x.io/a.jpg", accepted: false),
        imageURL("https://", accepted: false),
        imageURL("images.example.com/a.jpg", accepted: false),
        imageURL("https://images.example.com/a b.jpg", accepted: false),
        imageURL("https://x.io/" + String(repeating: "a", count: 2035), accepted: true),
        imageURL("https://x.io/" + String(repeating: "a", count: 2036), accepted: false),

        quantity(0, accepted: false),
        quantity(1, accepted: true),
        quantity(1000, accepted: true),
        quantity(1001, accepted: false),

        paymentMethod("tok_visa", nil),
        paymentMethod("Credit Card", nil),
        paymentMethod("  ", "paymentMethod is required (e.g. tok_visa or Credit Card)"),
        paymentMethod(String(repeating: "p", count: 50), nil),
        paymentMethod(String(repeating: "p", count: 51), "paymentMethod must be at most 50 characters"),

        idempotencyKey("storefront-cart-1-9f3a", accepted: true),
        idempotencyKey(String(repeating: "k", count: 255), accepted: true),
        idempotencyKey(String(repeating: "k", count: 256), accepted: false),
        idempotencyKey("", accepted: false),
        idempotencyKey("two words", accepted: false),
        idempotencyKey("ключ", accepted: false),
    ]

    @Test(arguments: cases)
    func rule(_ row: RuleCase) {
        #expect(row.check() == row.problem)
    }
}
