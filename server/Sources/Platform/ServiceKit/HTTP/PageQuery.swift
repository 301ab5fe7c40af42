import Hummingbird

/// `?page=&limit=` for listing routes: page from 1, limit from 1 to `maximumLimit`.
/// Anything else answers 400 rather than a silently different page.
public enum PageQuery {
    public static func parse(_ query: Parameters, defaultLimit: Int = 20, maximumLimit: Int = 100) throws -> (page: Int, limit: Int) {
        var validator = Validator()
        var page = 1
        var limit = defaultLimit
        if let raw = query["page"] {
            if let value = Int(raw), value >= 1, value <= 1_000_000 { page = value } else { validator.fail("page", "page must be a whole number from 1") }
        }
        if let raw = query["limit"] {
            if let value = Int(raw), (1...maximumLimit).contains(value) { limit = value } else { validator.fail("limit", "limit must be a whole number from 1 to \(maximumLimit)") }
        }
        try validator.throwIfInvalid(AppError.validation)
        return (page, limit)
    }
}
