/// Tab and Shift-Tab through a form's fields, wrapping at either end. Every form
/// screen's `Focus` is an `Int`-backed enum listing its fields in screen order.
extension CaseIterable where Self: RawRepresentable, RawValue == Int {
    var next: Self { Self(rawValue: (rawValue + 1) % Self.allCases.count)! }
    var previous: Self { Self(rawValue: (rawValue + Self.allCases.count - 1) % Self.allCases.count)! }
}
