import CMongoc
import Foundation

/// How Codable documents travel: Swift value ⇄ extended JSON ⇄ BSON. Dates are
/// BSON dates (milliseconds since 1970); `ObjectID` and `Decimal128` encode
/// themselves as `$oid` and `$numberDecimal`.
public enum BSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.container(keyedBy: DateKeys.self)
            var inner = container.nestedContainer(keyedBy: DateKeys.self, forKey: .date)
            try inner.encode(String(milliseconds(date)), forKey: .numberLong)
        }
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.container(keyedBy: DateKeys.self)
            // Relaxed extended JSON writes dates from 1970 to 9999 as ISO-8601
            // text and others as {"$numberLong": "..."}.
            if let text = try? container.decode(String.self, forKey: .date) {
                if let date = parseISO(text) { return date }
                throw DecodingError.dataCorruptedError(forKey: .date, in: container, debugDescription: "not an ISO-8601 date: \(text)")
            }
            let inner = try container.nestedContainer(keyedBy: DateKeys.self, forKey: .date)
            let text = try inner.decode(String.self, forKey: .numberLong)
            guard let ms = Int64(text) else {
                throw DecodingError.dataCorruptedError(forKey: .numberLong, in: inner, debugDescription: "not a number of milliseconds: \(text)")
            }
            return Date(timeIntervalSince1970: Double(ms) / 1000)
        }
        return decoder
    }()

    private enum DateKeys: String, CodingKey {
        case date = "$date"
        case numberLong = "$numberLong"
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// "2023-11-14T22:13:20.123Z" → the same instant as {"$numberLong": "1700000000123"}:
    /// the milliseconds are added exactly rather than parsed as a fraction.
    static func parseISO(_ text: String) -> Date? {
        var whole = text
        var milliseconds: Int64 = 0
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) {
            let digits = text[text.index(after: dot)..<end].prefix(3)
            milliseconds = Int64(digits.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
            whole = String(text[..<dot]) + String(text[end...])
        }
        guard let date = try? Date.ISO8601FormatStyle().parse(whole) else { return nil }
        return Date(timeIntervalSince1970: Double(Int64(date.timeIntervalSince1970) * 1000 + milliseconds) / 1000)
    }
}
