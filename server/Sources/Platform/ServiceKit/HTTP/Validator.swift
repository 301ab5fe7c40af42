import MarketplaceAPI

/// Collects field errors so a request reports every problem at once.
public struct Validator {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field: field, message: message)) }
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// A problem from a shared rule (`InputRules`), if there is one.
    public mutating func check(_ field: String, _ problem: String?) {
        if let problem { errors.append(FieldError(field: field, message: problem)) }
    }

    /// Throws the service's own "invalid" error with every problem found.
    public func throwIfInvalid<Failure: Error>(_ failure: ([FieldError]) -> Failure) throws {
        if !errors.isEmpty { throw failure(errors) }
    }
}
