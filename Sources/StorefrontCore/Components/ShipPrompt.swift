import MarketplaceAPI

/// Asks who carries a part and its tracking number, both optional, checked on
/// Enter by the rules the server checks them with (`InputRules.shipmentCarrier`,
/// `InputRules.trackingNumber`).
public struct ShipPrompt: Equatable, Sendable {
    public enum Field: Equatable, Sendable { case carrier, tracking }

    public enum Outcome: Equatable, Sendable {
        case stay
        case cancelled
        /// What to send: nil for a field left blank.
        case ship(carrier: String?, trackingNumber: String?)
    }

    // Room past each rule's maximum, so a text too long is told by the rule, not cut short.
    public var carrier = TextField(maxLength: InputRules.shipmentCarrier.maximum * 2)
    public var tracking = TextField(maxLength: InputRules.trackingNumber.maximum * 2)
    public var focus = Field.carrier
    /// The rule a field broke, in the rule's words.
    public var error: String?

    public init() {}

    public var keyHelp: [KeyHelp] {
        [KeyHelp("Enter", "ship", long: "ship the part with this carrier and tracking number (both may stay blank)", primary: true),
         KeyHelp("Tab", "next field", long: "between carrier and tracking number"),
         KeyHelp("Esc", "cancel", long: "ship nothing")]
    }

    /// A blank field is sent as absent; any other as typed (the server normalises it as the rules do).
    static func value(_ field: TextField) -> String? {
        let text = InputRules.normalized(field.text)
        return text.isEmpty ? nil : text
    }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .escape: return .cancelled
        case .tab, .backTab, .down, .up:
            focus = focus == .carrier ? .tracking : .carrier
            return .stay
        case .enter:
            if let problem = InputRules.shipmentCarrier.problem(carrier.text) {
                error = problem
                focus = .carrier
                return .stay
            }
            if let problem = InputRules.trackingNumber.problem(tracking.text) {
                error = problem
                focus = .tracking
                return .stay
            }
            return .ship(carrier: Self.value(carrier), trackingNumber: Self.value(tracking))
        default:
            let edited = focus == .carrier ? carrier.edit(key) : tracking.edit(key)
            if edited { error = nil }
            return .stay
        }
    }

    /// "Carrier [      ]  Tracking [        ]" on the row `y`, the focused field taking the cursor.
    public func draw(_ frame: inout Frame, x: Int, y: Int, width: Int, glyphs: Glyphs) {
        let fields = max(12, width - 22)
        let carrierWidth = fields * 2 / 5
        var cx = frame.write("Carrier ", x: x, y: y, role: .label)
        carrier.draw(&frame, x: cx, y: y, width: carrierWidth, focused: focus == .carrier, glyphs: glyphs)
        cx = frame.write("  Tracking ", x: cx + carrierWidth, y: y, role: .label)
        tracking.draw(&frame, x: cx, y: y, width: fields - carrierWidth, focused: focus == .tracking, glyphs: glyphs)
    }
}
