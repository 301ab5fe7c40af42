import MarketplaceAPI

/// Asks how many units to add to a product's stock: digits only, checked on
/// Enter. The vendor's and the admin's lists both restock with it.
public struct UnitsPrompt: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        case stay
        case cancelled
        case units(Int)
    }

    /// How many units one restock may add.
    public static let units = InputRules.stockUnits

    public var field = TextField(maxLength: String(units.upperBound).count)
    public var error: String?

    public init() {}

    public var keyHelp: [KeyHelp] { [KeyHelp("Enter", "add units", primary: true), KeyHelp("Esc", "cancel")] }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .escape: return .cancelled
        case .enter:
            guard let units = Int(field.trimmed), Self.units.contains(units) else {
                error = "A whole number of units from \(Self.units.lowerBound) to \(Self.units.upperBound)"
                return .stay
            }
            return .units(units)
        default:
            if case .char(let c) = key, !c.isNumber { return .stay }
            _ = field.edit(key)
            error = nil
            return .stay
        }
    }

    /// "Add units to <name>: [  ]" on the row `y`, with the problem after it.
    public func draw(_ frame: inout Frame, product name: String, x: Int, y: Int, limit: Int, glyphs: Glyphs) {
        let cx = frame.write("Add units to \(TextWidth.truncate(name, to: 30, ellipsis: glyphs.ellipsis)): ", x: x, y: y, role: .label)
        field.draw(&frame, x: cx, y: y, width: 8, focused: true, glyphs: glyphs)
        if let error { frame.write(error, x: cx + 10, y: y, role: .error, limit: limit) }
    }
}
