import Foundation
import Testing
@testable import MarketplaceAPI

@Suite struct MoneyTests {
    @Test func parsesPlainDecimalText() {
        #expect(Money("12")?.description == "12.00")
        #expect(Money("12.5")?.description == "12.50")
        #expect(Money("0.10")?.description == "0.10")
    }

    @Test func refusesNegativeOverPreciseAndNonNumericText() {
        for text in ["-1", "1.234", "1e3", "abc", "", ".5", "1.", "1,5", "123456789.00"] {
            #expect(Money(text) == nil, "\(text) should be refused")
        }
    }

    @Test func sumsWithoutFloatingPointDrift() {
        // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
        let total = Money("0.10")! + Money("0.20")!
        #expect(total == Money("0.30")!)
        #expect((Money("19.99")! * 3).description == "59.97")
    }

    @Test func decodesJSONNumbersExactlyAndRejectsThreeDecimals() throws {
        let decoder = JSONDecoder()
        let ok = try decoder.decode([Money].self, from: Data("[0.1, 19.99, 1000000]".utf8))
        #expect(ok.map(\.description) == ["0.10", "19.99", "1000000.00"])
        #expect(throws: DecodingError.self) { try decoder.decode([Money].self, from: Data("[1.005]".utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode([Money].self, from: Data("[-2]".utf8)) }
    }

    @Test func encodesAsAJSONNumber() throws {
        let data = try JSONEncoder().encode([Money("19.99")!])
        #expect(String(decoding: data, as: UTF8.self) == "[19.99]")
    }
}

@Suite("money as text")
struct MoneyTextTests {
    /// What `description` answered with a NumberFormatter, which it no longer builds per call.
    static func formatted(_ amount: Decimal) -> String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = false
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.minimumIntegerDigits = 1
        return formatter.string(from: rounded as NSDecimalNumber)!
    }

    @Test(arguments: ["0", "0.05", "0.5", "1", "9.99", "12.5", "89.90", "100", "1234.56", "99999999.99", "10000000", "0.01"])
    func twoDecimalsAsTheFormatterGaveThem(_ text: String) {
        let money = Money(text)!
        #expect(money.description == Self.formatted(money.amount), "\(text)")
    }

    @Test func sumsAndProductsPrintAsTheFormatterGaveThem() {
        let price = Money("19.99")!
        for count in [0, 1, 3, 7, 100, 12_345] {
            let total = price * count + Money("0.01")!
            #expect(total.description == Self.formatted(total.amount), "\(count)")
        }
    }
}
