/// A URL's query as `key=value` pairs, `+` read as a space and `%XX` decoded, in
/// plain Swift over the UTF-8 bytes. Foundation's `removingPercentEncoding`
/// bridges through NSString and was the costliest step of a cached catalogue
/// read (8 % of the server's CPU under `make bench`'s warm browse).
public enum QueryString {
    /// Pairs in the order given; a key without `=` has the value "". A part whose
    /// escapes are malformed, or decode to bytes that are not UTF-8, is kept as
    /// written (with `+` as a space), so the rules that read it can name it.
    public static func pairs(_ query: Substring) -> [(key: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            guard let equals = pair.firstIndex(of: "=") else { return (decoded(pair), "") }
            return (decoded(pair[..<equals]), decoded(pair[pair.index(after: equals)...]))
        }
    }

    public static func pairs(_ query: String?) -> [(key: String, value: String)] {
        pairs(Substring(query ?? ""))
    }

    static func decoded(_ text: Substring) -> String {
        let utf8 = text.utf8
        let plus = UInt8(ascii: "+"), percent = UInt8(ascii: "%"), space = UInt8(ascii: " ")
        guard utf8.contains(where: { $0 == percent || $0 == plus }) else { return String(text) }
        let written = Array(utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(written.count)
        var index = 0
        while index < written.count {
            switch written[index] {
            case plus:
                bytes.append(space)
                index += 1
            case percent:
                guard index + 2 < written.count, let high = hexValue(written[index + 1]), let low = hexValue(written[index + 2]) else {
                    return String(decoding: written.map { $0 == plus ? space : $0 }, as: UTF8.self)
                }
                bytes.append(high << 4 | low)
                index += 3
            case let byte:
                bytes.append(byte)
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? String(decoding: written.map { $0 == plus ? space : $0 }, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
