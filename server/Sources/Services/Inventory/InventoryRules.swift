import Foundation
import MarketplaceAPI
import ServiceKit

/// Input rules for stock requests, callable without HTTP.
public enum InventoryRules {
    /// Far below INTEGER's limit, so adding to a row cannot overflow in one step.
    public static let maximumUnitsPerRequest = InputRules.stockUnits.upperBound
    public static let maximumLinesPerOrder = 200
    public static let maximumIDLength = 64

    static func checkProductID(_ id: String?, field: String, _ validator: inout Validator) -> String {
        let id = (id ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(field, InputRules.idProblem(id, label: "productId"))
        return id
    }

    static func checkQuantity(_ quantity: Int?, field: String, _ validator: inout Validator) -> Int {
        guard let quantity else {
            validator.fail(field, "quantity is required")
            return 0
        }
        validator.check(quantity > 0, field, "quantity must be a positive whole number")
        validator.check(quantity <= maximumUnitsPerRequest, field, "quantity must be at most \(maximumUnitsPerRequest)")
        return quantity
    }

    static func checkOrderID(_ id: String?, _ validator: inout Validator) -> String? {
        guard let id else { return nil }
        let trimmed = id.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.utf8.count > maximumIDLength {
            validator.fail("orderId", "orderId must be 1 to \(maximumIDLength) characters")
        } else {
            validator.check("orderId", InputRules.idProblem(trimmed, label: "orderId"))
        }
        return trimmed
    }

    public static func validate(_ request: AddStockRequest) throws -> (productID: String, quantity: Int, threshold: Int?) {
        var validator = Validator()
        let id = checkProductID(request.productId, field: "productId", &validator)
        let quantity = checkQuantity(request.quantity, field: "quantity", &validator)
        if let threshold = request.lowStockThreshold {
            validator.check((0...maximumUnitsPerRequest).contains(threshold), "lowStockThreshold",
                            "lowStockThreshold must be a whole number from 0 to \(maximumUnitsPerRequest)")
        }
        try throwIfInvalid(validator)
        return (id, quantity, request.lowStockThreshold)
    }

    /// A single plan-form line (`productId`, `quantity`), for reserve and release without an order.
    public static func validateLine(productId: String?, quantity: Int?) throws -> StockLine {
        var validator = Validator()
        let id = checkProductID(productId, field: "productId", &validator)
        let quantity = checkQuantity(quantity, field: "quantity", &validator)
        try throwIfInvalid(validator)
        return StockLine(productId: id, quantity: quantity)
    }

    public enum Reservation: Equatable {
        /// The plan's form: take units with no order to remember them by.
        case single(StockLine)
        case order(id: String, lines: [StockLine])
    }

    public static func validate(_ request: ReserveStockRequest) throws -> Reservation {
        var validator = Validator()
        let orderID = checkOrderID(request.orderId, &validator)
        if let items = request.items {
            if orderID == nil { validator.fail("orderId", "orderId is required with items") }
            if request.productId != nil || request.quantity != nil {
                validator.fail("items", "Send either items or productId and quantity, not both")
            }
            if items.isEmpty { validator.fail("items", "items must list at least one product") }
            if items.count > maximumLinesPerOrder { validator.fail("items", "items must list at most \(maximumLinesPerOrder) products") }
            var lines: [StockLine] = []
            for (index, item) in items.enumerated() {
                let id = checkProductID(item.productId, field: "items[\(index)].productId", &validator)
                let quantity = checkQuantity(item.quantity, field: "items[\(index)].quantity", &validator)
                lines.append(StockLine(productId: id, quantity: quantity))
            }
            try throwIfInvalid(validator)
            return .order(id: orderID!, lines: try merged(lines))
        }
        let id = checkProductID(request.productId, field: "productId", &validator)
        let quantity = checkQuantity(request.quantity, field: "quantity", &validator)
        try throwIfInvalid(validator)
        let line = StockLine(productId: id, quantity: quantity)
        if let orderID { return .order(id: orderID, lines: [line]) }
        return .single(line)
    }

    /// An order's reservation as an in-process caller (the checkout) hands it over:
    /// the same limits as over HTTP. Answers the lines merged and sorted.
    public static func checkOrder(orderID: String, lines: [StockLine]?) throws -> [StockLine] {
        var validator = Validator()
        _ = checkOrderID(orderID, &validator)
        if let lines {
            if lines.isEmpty { validator.fail("items", "items must list at least one product") }
            if lines.count > maximumLinesPerOrder { validator.fail("items", "items must list at most \(maximumLinesPerOrder) products") }
            for (index, line) in lines.enumerated() {
                _ = checkProductID(line.productId, field: "items[\(index)].productId", &validator)
                _ = checkQuantity(line.quantity, field: "items[\(index)].quantity", &validator)
            }
        }
        try throwIfInvalid(validator)
        return try merged((lines ?? []).map { StockLine(productId: $0.productId.trimmingCharacters(in: .whitespacesAndNewlines), quantity: $0.quantity) })
    }

    /// One line per product (quantities of repeated products summed), sorted by product id
    /// so concurrent reservations lock rows in the same order and cannot deadlock.
    public static func merged(_ lines: [StockLine]) throws -> [StockLine] {
        var totals: [String: Int] = [:]
        for line in lines { totals[line.productId, default: 0] += line.quantity }
        if let (id, _) = totals.first(where: { $0.value > maximumUnitsPerRequest }) {
            throw InventoryError.invalid([FieldError(field: "items", message: "\(id): at most \(maximumUnitsPerRequest) units per product")])
        }
        return totals.map { StockLine(productId: $0.key, quantity: $0.value) }.sorted { $0.productId < $1.productId }
    }

    private static func throwIfInvalid(_ validator: Validator) throws {
        if !validator.errors.isEmpty { throw InventoryError.invalid(validator.errors) }
    }
}
