import Foundation

/// A BSON document built in Swift, keys kept in the order written: sort
/// specifications and compound index keys mean something only in order.
///
/// Filters and updates are built from typed values only, so text a user sent is
/// always a string value and can never become an operator such as `$gt`.
public struct BSONDocument: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(key: String, value: BSONValue)]

    public init() { fields = [] }

    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        fields = elements.map { (key: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// Replaces the value of `key` where it is, or appends it.
    public subscript(key: String) -> BSONValue? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key: key, value: newValue))
            }
        }
    }

    /// Canonical extended JSON (v2), the text `bson_new_from_json` reads.
    public var extendedJSON: String {
        var out = ""
        BSONValue.document(self).write(to: &out)
        return out
    }
}

public indirect enum BSONValue: Sendable {
    case string(String)
    case int32(Int32)
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case objectID(ObjectID)
    case date(Date)
    case decimal(Decimal128)
    case document(BSONDocument)
    case array([BSONValue])

    func write(to out: inout String) {
        switch self {
        case .string(let text): JSONText.writeString(text, to: &out)
        case .int32(let value): out += #"{"$numberInt":""# + String(value) + #""}"#
        case .int64(let value): out += #"{"$numberLong":""# + String(value) + #""}"#
        case .double(let value): out += #"{"$numberDouble":""# + Self.doubleText(value) + #""}"#
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .objectID(let id): out += #"{"$oid":""# + id.hex + #""}"#
        case .date(let date): out += #"{"$date":{"$numberLong":""# + String(BSONCoding.milliseconds(date)) + #""}}"#
        case .decimal(let value): out += #"{"$numberDecimal":""# + value.text + #""}"#
        case .document(let document):
            out += "{"
            for (index, field) in document.fields.enumerated() {
                if index > 0 { out += "," }
                JSONText.writeString(field.key, to: &out)
                out += ":"
                field.value.write(to: &out)
            }
            out += "}"
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        }
    }

    static func doubleText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return String(value)
    }
}

extension BSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: BSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        var document = BSONDocument()
        for (key, value) in elements { document[key] = value }
        self = .document(document)
    }

    /// An Int as int32 when it fits, as the server would store a small number.
    public static func int(_ value: Int) -> BSONValue {
        if let small = Int32(exactly: value) { return .int32(small) }
        return .int64(Int64(value))
    }

    public static func optional(_ value: String?) -> BSONValue { value.map(BSONValue.string) ?? .null }
}
