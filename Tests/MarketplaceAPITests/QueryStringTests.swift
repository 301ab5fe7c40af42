import Foundation
import Testing
@testable import MarketplaceAPI

@Suite("query strings")
struct QueryStringTests {
    /// What the product service did before with Foundation: `+` as a space, then
    /// `removingPercentEncoding`, the text as written (spaced) where that fails.
    static func foundation(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    @Test(arguments: [
        "", "plain", "a+b", "caf%C3%A9", "%E7%81%AF+lamp", "50%25", "%zz", "%4", "%", "100%",
        "%C3", "%FF%FE", "a%2Bb", "%2b", "x+%20+y", "Lampe%20Berg%C3%A8re", "%00", "caf\u{E9}", "++",
    ])
    func decodesAsFoundationDid(_ text: String) {
        #expect(QueryString.decoded(Substring(text)) == Self.foundation(Substring(text)), "\(text)")
    }

    @Test func pairsKeepOrderEmptyValuesAndRepeats() {
        let pairs = QueryString.pairs("category=Home+%26+Garden&page=2&&flag&q=&page=3")
        #expect(pairs.map(\.key) == ["category", "page", "flag", "q", "page"])
        #expect(pairs.map(\.value) == ["Home & Garden", "2", "", "", "3"])
        #expect(QueryString.pairs(nil as String?).isEmpty)
        // Only the first "=" splits a pair.
        #expect(QueryString.pairs("q=a=b").first?.value == "a=b")
    }
}

@Suite("normalized text")
struct NormalizedTextTests {
    /// The ASCII fast path answers what Foundation answers for every text.
    @Test(arguments: [
        "", " ", "Books", "  Books  ", "\tHome & Garden\n", "\u{0B}\u{0C}\r x \r", "a b", "x\u{00A0}", "\u{00A0}café\u{2028}",
        "cafe\u{0301}", " cafe\u{0301} ", "\u{0085}x\u{0085}", "灯 ", "\n\n", "x\u{7F}",
    ])
    func matchesFoundation(_ text: String) {
        #expect(InputRules.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        #expect(InputRules.normalized(text) == text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(text.debugDescription)")
    }
}
