import Foundation
import MarketplaceAPI
import MongoKit
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
            JSONText.writeString(message, to: &out)
        }
        out += #","success":true}"#
        return ByteBuffer(string: out)
    }

    static func write(_ product: Product, to out: inout String) {
        out += #"{"category":"#
        JSONText.writeString(product.category, to: &out)
        out += #","createdAt":""# + timestamp(product.createdAt)
        out += #"","description":"#
        JSONText.writeString(product.description, to: &out)
        out += #","id":"#
        JSONText.writeString(product.id, to: &out)
        out += #","images":["#
        for (index, image) in product.images.enumerated() {
            if index > 0 { out += "," }
            JSONText.writeString(image, to: &out)
        }
        out += #"],"name":"#
        JSONText.writeString(product.name, to: &out)
        out += #","price":"# + product.price.description
        if let stock = product.stock {
            out += #","stock":{"isLowStock":\#(stock.isLowStock),"quantity":\#(stock.quantity)}"#
        }
        out += #","updatedAt":""# + timestamp(product.updatedAt)
        out += #"","userId":"#
        JSONText.writeString(product.userId, to: &out)
        if let vendorName = product.vendorName {
            out += #","vendorName":"#
            JSONText.writeString(vendorName, to: &out)
        }
        out += "}"
    }

    /// ISO-8601 in UTC to the second, as `JSONBody` writes dates.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
