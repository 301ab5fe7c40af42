/// Where a page sits in a longer list: `"pagination": {"page", "limit", "total"}`.
public struct Pagination: Codable, Sendable, Equatable {
    public var page: Int
    public var limit: Int
    public var total: Int

    public init(page: Int, limit: Int, total: Int) {
        self.page = page
        self.limit = limit
        self.total = total
    }
}

/// `{"success": true, "data": [...], "pagination": {...}}`
public struct PageEnvelope<Item: Codable & Sendable>: Codable, Sendable {
    public var success: Bool
    public var data: [Item]
    public var pagination: Pagination

    public init(data: [Item], pagination: Pagination) {
        self.success = true
        self.data = data
        self.pagination = pagination
    }
}
