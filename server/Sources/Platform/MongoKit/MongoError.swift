import CMongoc

/// A driver or server failure, sorted into the few kinds callers act on.
public struct MongoError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A unique index refused the write (server code 11000).
        case duplicateKey
        /// No server answered within the selection timeout, or the connection broke.
        case unreachable
        /// A document or query could not be turned into BSON, or a reply into Swift.
        case invalidDocument
        /// Anything else the server or driver reported.
        case other
    }

    public let kind: Kind
    public let domain: UInt32
    public let code: UInt32
    public let message: String

    public var description: String { "MongoError(\(kind), domain \(domain), code \(code)): \(message)" }

    init(kind: Kind, message: String) {
        self.kind = kind
        self.domain = 0
        self.code = 0
        self.message = message
    }

    /// The one place a `bson_error_t` becomes a Swift error.
    init(_ error: bson_error_t) {
        var copy = error
        let message = withUnsafeBytes(of: &copy.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self.domain = error.domain
        self.code = error.code
        self.message = message
        switch (error.domain, error.code) {
        case (_, 11000), (_, 11001), (_, 12582):
            self.kind = .duplicateKey
        case (MONGOC_ERROR_SERVER_SELECTION.rawValue, _), (MONGOC_ERROR_STREAM.rawValue, _):
            self.kind = .unreachable
        case (MONGOC_ERROR_BSON.rawValue, _), (UInt32(BSON_ERROR_JSON), _):
            self.kind = .invalidDocument
        default:
            self.kind = .other
        }
    }
}
