import Foundation
import MarketplaceAPI
import ServiceKit

/// The product service's input rules, callable without HTTP.
public enum ProductRules {
    public static let maximumNameLength = 255
    public static let maximumCategoryLength = 100
    public static let maximumDescriptionLength = 10_000
    public static let maximumImages = 10
    public static let maximumImageURLLength = 2048
    /// The plan's Decimal(10,2).
    public static let maximumPrice = Decimal(string: "99999999.99")!
    public static let maximumLimit = 100
    public static let maximumPage = 1_000_000
    public static let maximumSearchLength = 100

    public static func validateNew(_ input: ProductInput, ownerID: String) throws -> NewProduct {
        var validator = Validator()
        let changes = check(input, creating: true, into: &validator)
        try validator.throwIfInvalid()
        return NewProduct(
            name: changes.name!, description: changes.description!, price: changes.price!,
            category: changes.category!, images: changes.images ?? [], ownerID: ownerID)
    }

    public static func validateChanges(_ input: ProductInput) throws -> ProductChanges {
        var validator = Validator()
        let changes = check(input, creating: false, into: &validator)
        try validator.throwIfInvalid()
        if changes.isEmpty {
            throw AppError.badRequest("Nothing to update: send at least one of name, description, price, category, images")
        }
        return changes
    }

    private static func check(_ input: ProductInput, creating: Bool, into validator: inout Validator) -> ProductChanges {
        var changes = ProductChanges()
        func text(_ value: String?, _ field: String, _ label: String, limit: Int) -> String? {
            guard let value else {
                if creating { validator.fail(field, "\(label) is required") }
                return nil
            }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                validator.fail(field, "\(label) must not be empty")
            } else if trimmed.count > limit {
                validator.fail(field, "\(label) must be at most \(limit) characters")
            }
            return trimmed
        }
        changes.name = text(input.name, "name", "Name", limit: maximumNameLength)
        changes.description = text(input.description, "description", "Description", limit: maximumDescriptionLength)
        changes.category = text(input.category, "category", "Category", limit: maximumCategoryLength)
        if let price = input.price {
            if let money = Money(exactly: price), price <= maximumPrice {
                changes.price = money
            } else {
                validator.fail("price", "Price must be a number from 0 to \(maximumPrice) with at most 2 decimal places")
            }
        } else if creating {
            validator.fail("price", "Price is required")
        }
        if let images = input.images {
            if images.count > maximumImages {
                validator.fail("images", "At most \(maximumImages) images are allowed")
            }
            for (index, url) in images.enumerated() where !isImageURL(url) {
                validator.fail("images[\(index)]", "Image must be an http or https URL of at most \(maximumImageURLLength) characters")
            }
            changes.images = images
        }
        return changes
    }

    public static func isImageURL(_ text: String) -> Bool {
        guard text.utf8.count <= maximumImageURLLength, !text.contains(where: { $0.isWhitespace }),
              let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    static let queryParameters: Set<String> = ["page", "limit", "category", "minPrice", "maxPrice", "q", "sort"]

    /// Parses `GET /api/products` parameters. Each is read as the one type it can
    /// have, so `category={"$ne":""}` is just a category nobody sells and
    /// `minPrice[$gt]=0` is an unknown parameter.
    public static func parseQuery(_ parameters: [(key: String, value: String)]) throws -> ProductQuery {
        var validator = Validator()
        var query = ProductQuery()
        var seen = Set<String>()
        for (key, value) in parameters {
            guard queryParameters.contains(key) else {
                validator.fail(key, "Unknown query parameter '\(key)'; use \(queryParameters.sorted().joined(separator: ", "))")
                continue
            }
            guard seen.insert(key).inserted else {
                validator.fail(key, "'\(key)' is given more than once")
                continue
            }
            switch key {
            case "page":
                if let page = Int(value), (1...maximumPage).contains(page) { query.page = page } else {
                    validator.fail(key, "page must be a whole number from 1 to \(maximumPage)")
                }
            case "limit":
                if let limit = Int(value), (1...maximumLimit).contains(limit) { query.limit = limit } else {
                    validator.fail(key, "limit must be a whole number from 1 to \(maximumLimit)")
                }
            case "category":
                let category = value.trimmingCharacters(in: .whitespacesAndNewlines)
                if category.isEmpty || category.count > maximumCategoryLength {
                    validator.fail(key, "category must be 1 to \(maximumCategoryLength) characters")
                } else {
                    query.category = category
                }
            case "minPrice", "maxPrice":
                guard let money = Money(value) else {
                    validator.fail(key, "\(key) must be a number >= 0 with at most 2 decimal places")
                    continue
                }
                if key == "minPrice" { query.minPrice = money } else { query.maxPrice = money }
            case "q":
                let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
                if text.count > maximumSearchLength {
                    validator.fail(key, "q must be at most \(maximumSearchLength) characters")
                } else if !text.isEmpty {
                    query.text = text
                }
            default:
                if let sort = ProductSort(rawValue: value) { query.sort = sort } else {
                    validator.fail(key, "sort must be one of \(ProductSort.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
        }
        if let low = query.minPrice, let high = query.maxPrice, low > high {
            validator.fail("minPrice", "minPrice must not be greater than maxPrice")
        }
        try validator.throwIfInvalid()
        return query
    }
}
