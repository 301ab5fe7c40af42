/// An entry of a comma-separated setting that could not be read.
public struct ConfigurationListError: Error, Sendable {
    public let entry: String
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
