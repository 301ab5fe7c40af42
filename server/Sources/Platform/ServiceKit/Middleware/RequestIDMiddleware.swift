import Hummingbird

/// Gives every request an id (the caller's `X-Request-Id` when it is sane, a new
/// one otherwise), puts it in every log line of the request and echoes it back.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID]
        let id: String
        if let incoming, Self.isAcceptable(incoming) {
            id = incoming
        } else {
            id = RequestIDs.next()
        }
        context.requestID = id
        // Log lines of the request carry it from `RequestTrace` (the JSON log handler
        // reads it there), not from a copy of the logger's metadata per request.
        var response = try await RequestTrace.$id.withValue(id) { try await next(request, context) }
        response.headers[.requestID] = id
        return response
    }

    /// Ids from outside are logged, so they are limited to a short, printable alphabet.
    static func isAcceptable(_ id: String) -> Bool {
        id.utf8.count <= 128 && !id.isEmpty && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
    }
}
