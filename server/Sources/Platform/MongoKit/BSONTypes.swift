import CMongoc
import Foundation

/// A MongoDB ObjectId, held as its 24 lower-case hex digits.
public struct ObjectID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    /// A new id from the driver's generator (time, process, counter).
    public init() {
        MongoRuntime.initialize()
        var oid = bson_oid_t()
        bson_oid_init(&oid, nil)
        var text = [CChar](repeating: 0, count: 25)
        bson_oid_to_string(&oid, &text)
        self.hex = String(decoding: text.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// nil unless `hex` is exactly 24 hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 24, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }) else {
            return nil
        }
        self.hex = hex.lowercased()
    }

    public var description: String { hex }

    private enum Keys: String, CodingKey { case oid = "$oid" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let text = try container.decode(String.self, forKey: .oid)
        guard let id = ObjectID(hex: text) else {
            throw DecodingError.dataCorruptedError(forKey: .oid, in: container, debugDescription: "not an ObjectId: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(hex, forKey: .oid)
    }
}

/// A BSON Decimal128, for amounts that must stay exact (never a double).
public struct Decimal128: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The decimal as text, e.g. "12.50".
    public let text: String

    public init(_ decimal: Decimal) {
        self.text = decimal.description
    }

    /// nil unless `text` is a plain decimal number such as "12.50" or "-3".
    public init?(text: String) {
        guard Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) != nil else { return nil }
        self.text = text
    }

    public var decimal: Decimal? { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) }

    public var description: String { text }

    private enum Keys: String, CodingKey { case value = "$numberDecimal" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        self.text = try container.decode(String.self, forKey: .value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(text, forKey: .value)
    }
}
