import HTTPTypes
import Hummingbird

/// In front of the tracing middleware: a `traceparent` that is not one well-formed
/// W3C value (version 00, a 32- and a 16-digit lower-case hex id, flags) is dropped
/// with its `tracestate`, so the request starts a trace of its own. The tracer's
/// own complaint about such a header would log every header of the request,
/// credentials included.
public struct TraceContextGuard<Context: RequestContext>: RouterMiddleware {
    static var traceparent: HTTPField.Name { HTTPField.Name("traceparent")! }
    static var tracestate: HTTPField.Name { HTTPField.Name("tracestate")! }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let values = request.headers[values: Self.traceparent]
        guard !values.isEmpty, !(values.count == 1 && Self.isWellFormed(values[0])) else {
            return try await next(request, context)
        }
        var head = request.head
        head.headerFields[values: Self.traceparent] = []
        head.headerFields[values: Self.tracestate] = []
        return try await next(Request(head: head, body: request.body), context)
    }

    /// `00-<32 hex>-<16 hex>-<2 hex>`, ids not all zero.
    public static func isWellFormed(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].utf8.count == 32, parts[2].utf8.count == 16, parts[3].utf8.count == 2 else { return false }
        func hex(_ part: Substring) -> Bool { part.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }
        return parts[1...].allSatisfy(hex) && parts[1].contains { $0 != "0" } && parts[2].contains { $0 != "0" }
    }
}
