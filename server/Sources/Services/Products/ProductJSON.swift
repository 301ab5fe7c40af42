import Foundation
import MarketplaceAPI
import NIOCore

/// Writes product responses by hand, because the contract shows prices as JSON
/// numbers with exactly two decimals (`12.50`), which JSONEncoder cannot write
/// for a Decimal (it would write `12.5`). Keys are sorted, as `JSONBody` sorts them.
enum ProductJSON {
    static func page(_ products: [Product], pagination: Pagination) -> ByteBuffer {
        var out = #"{"data":["#
        for (index, product) in products.enumerated() {
            if index > 0 { out += "," }
            write(product, to: &out)
        }
        out += #"],"pagination":{"limit":\#(pagination.limit),"page":\#(pagination.page),"total":\#(pagination.total)},"success":true}"#
        return ByteBuffer(string: out)
    }

    static func single(_ product: Product, message: String? = nil) -> ByteBuffer {
        var out = #"{"data":"#
        write(product, to: &out)
        if let message {
            out += #","message":"#
            writeString(message, to: &out)
        }
        out += #","success":true}"#
        return ByteBuffer(string: out)
    }

    static func write(_ product: Product, to out: inout String) {
        out += #"{"category":"#
        writeString(product.category, to: &out)
        out += #","createdAt":""# + timestamp(product.createdAt)
        out += #"","description":"#
        writeString(product.description, to: &out)
        out += #","id":"#
        writeString(product.id, to: &out)
        out += #","images":["#
        for (index, image) in product.images.enumerated() {
            if index > 0 { out += "," }
            writeString(image, to: &out)
        }
        out += #"],"name":"#
        writeString(product.name, to: &out)
        out += #","price":"# + product.price.description
        if let stock = product.stock {
            out += #","stock":{"isLowStock":\#(stock.isLowStock),"quantity":\#(stock.quantity)}"#
        }
        out += #","updatedAt":""# + timestamp(product.updatedAt)
        out += #"","userId":"#
        writeString(product.userId, to: &out)
        out += "}"
    }

    /// ISO-8601 in UTC to the second, as `JSONBody` writes dates.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
