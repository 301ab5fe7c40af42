import Foundation
import MarketplaceAPI
import ServiceKit

/// The product service's input rules, callable without HTTP.
public enum ProductRules {
    public static let maximumLimit = 100
    public static let maximumPage = 1_000_000

    public static func validateNew(_ input: ProductInput, ownerID: String) throws -> NewProduct {
        var validator = Validator()
        let changes = check(input, creating: true, into: &validator)
        try validator.throwIfInvalid(ProductError.invalid)
        return NewProduct(
            name: changes.name!, description: changes.description!, price: changes.price!,
            category: changes.category!, images: changes.images ?? [], ownerID: ownerID)
    }

    public static func validateChanges(_ input: ProductInput) throws -> ProductChanges {
        var validator = Validator()
        let changes = check(input, creating: false, into: &validator)
        try validator.throwIfInvalid(ProductError.invalid)
        if changes.isEmpty { throw ProductError.nothingToUpdate }
        return changes
    }

    /// Text sent empty is refused; text not sent is required only on create.
    private static func check(_ input: ProductInput, creating: Bool, into validator: inout Validator) -> ProductChanges {
        var changes = ProductChanges()
        func text(_ value: String?, _ field: String, _ rule: TextRule) -> String? {
            if let value, InputRules.normalized(value).isEmpty {
                validator.fail(field, "\(rule.label) must not be empty")
                return InputRules.normalized(value)
            }
            validator.check(field, rule.problem(value, whenAbsent: creating))
            return value.map(InputRules.normalized)
        }
        changes.name = text(input.name, "name", InputRules.productName)
        changes.description = text(input.description, "description", InputRules.productDescription)
        changes.category = text(input.category, "category", InputRules.productCategory)
        if let price = input.price {
            if let money = InputRules.price(price) {
                changes.price = money
            } else {
                validator.fail("price", InputRules.priceProblem)
            }
        } else if creating {
            validator.fail("price", "Price is required")
        }
        if let images = input.images {
            // Past the limit the count is the problem; the URLs are not looked at.
            let tooMany = InputRules.imageCountProblem(images.count)
            validator.check("images", tooMany)
            for (index, url) in (tooMany == nil ? images : []).enumerated() where !InputRules.isImageURL(url) {
                validator.fail("images[\(index)]", InputRules.imageURLProblem)
            }
            changes.images = images
        }
        return changes
    }

    static let queryParameters: Set<String> = ["page", "limit", "category", "minPrice", "maxPrice", "q", "sort", "ids", "userId"]

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
                let category = InputRules.normalized(value)
                if category.isEmpty || InputRules.length(category) > InputRules.productCategory.maximum || InputRules.hasControlCharacters(category) {
                    validator.fail(key, "category must be 1 to \(InputRules.productCategory.maximum) characters")
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
                let text = InputRules.normalized(value)
                if InputRules.length(text) > InputRules.maximumSearchLength {
                    validator.fail(key, "q must be at most \(InputRules.maximumSearchLength) characters")
                } else if InputRules.hasControlCharacters(text) {
                    validator.fail(key, "q must not contain control characters")
                } else if !text.isEmpty {
                    query.text = text
                }
            case "ids":
                let ids = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if ids.isEmpty || ids.count > InputRules.maximumStockBatch {
                    validator.fail(key, "ids names 1 to \(InputRules.maximumStockBatch) products, separated by commas")
                } else if !ids.allSatisfy(InputRules.isQueryID) {
                    validator.fail(key, "each id must be 1 to \(InputRules.maximumIDLength) visible ASCII characters")
                } else {
                    query.ids = Array(Set(ids))
                }
            case "userId":
                if InputRules.isQueryID(value) { query.ownerID = value } else {
                    validator.fail(key, "userId must be 1 to \(InputRules.maximumIDLength) visible ASCII characters")
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
        try validator.throwIfInvalid(ProductError.invalid)
        return query
    }
}
