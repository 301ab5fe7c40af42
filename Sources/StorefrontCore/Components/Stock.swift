import MarketplaceAPI

/// The words for a product's stock, shared by the list and the product page.
public func stockBadge(_ level: ProductStock?) -> StatusText? {
    guard let level else { return nil }
    if level.quantity <= 0 { return StatusText("Out of stock", role: .stockOut) }
    if level.isLowStock { return StatusText("Only \(level.quantity) left", role: .stockLow) }
    return StatusText("In stock", role: .muted)
}
