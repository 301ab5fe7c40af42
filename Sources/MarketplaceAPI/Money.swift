import Foundation

/// An exact amount of money in the shop's currency, always with at most two
/// decimal places. Never a floating-point number: arithmetic is on `Decimal`,
/// and JSON carries it as a number that is parsed without passing through `Double`.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let amount: Decimal

    /// nil when `amount` is negative or has more than two decimal places.
    public init?(exactly amount: Decimal) {
        guard amount >= 0, Money.hasAtMostTwoDecimals(amount) else { return nil }
        self.amount = amount
    }

    /// Parses "12", "12.5", "12.50"; refuses "-1", "1.234", "1e3", "abc".
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              !parts[0].isEmpty, parts[0].count <= 8, parts[0].allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isASCIIDigit),
              let decimal = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        self.init(exactly: decimal)
    }

    public static let zero = Money(uncheckedAmount: 0)

    init(uncheckedAmount: Decimal) { self.amount = uncheckedAmount }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(uncheckedAmount: lhs.amount + rhs.amount) }

    public static func * (lhs: Money, rhs: Int) -> Money { Money(uncheckedAmount: lhs.amount * Decimal(rhs)) }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.amount < rhs.amount }

    /// "12.50": the amount rounded to cents, two decimals, no grouping. Built from
    /// `Decimal`'s own plain digits: a `NumberFormatter` per call (ICU, a locale
    /// each time) was a tenth of the terminal client's time per frame, which
    /// prints every price on the screen.
    public var description: String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        let digits = rounded.description
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0].isEmpty ? "0" : String(parts[0])
        let cents = parts.count > 1 ? String(parts[1].prefix(2)) : ""
        return whole + "." + cents + String(repeating: "0", count: 2 - cents.count)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Foundation decodes JSON numbers into Decimal from their text, so 0.1 stays 0.1.
        if let decimal = try? container.decode(Decimal.self), let money = Money(exactly: decimal) {
            self = money
            return
        }
        if let text = try? container.decode(String.self), let money = Money(text) {
            self = money
            return
        }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "an amount must be a number >= 0 with at most two decimal places")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(amount)
    }

    static func hasAtMostTwoDecimals(_ value: Decimal) -> Bool {
        var scaled = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return rounded == scaled
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
