import Instrumentation
import NIOHTTP1
import Synchronization
import Tracing

/// Distributed tracing, opt in. Off (the default) nothing here records or costs
/// more than one relaxed load; on, `marketplace serve` bootstraps an OpenTelemetry
/// tracer exporting over OTLP (see `docs/OPERATIONS.md`, "Traces"), every request
/// gets a server span continuing the caller's W3C `traceparent`, every call to
/// another service a client span whose context travels in the call's
/// `traceparent`, and each checkout step a span of its own.
public enum Telemetry {
    private static let tracing = Atomic<Bool>(false)

    /// Whether a tracer was bootstrapped in this process.
    public static var isTracing: Bool { tracing.load(ordering: .relaxed) }

    /// Called once, by the command that bootstrapped the tracer.
    public static func tracingStarted() { tracing.store(true, ordering: .relaxed) }

    /// Whether the environment asks for traces: an OTLP endpoint is named (for
    /// traces or for every signal) and neither the SDK nor the traces exporter is
    /// switched off, as the OpenTelemetry specification's variables read.
    public static func tracingRequested(_ environment: [String: String]) -> Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "none" { return false }
        let endpoint = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? ""
        return !endpoint.isEmpty
    }

    /// `body` inside a span named `name` when tracing is on; `body` alone otherwise.
    public static func step<T>(
        _ name: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        guard isTracing else { return try await body() }
        return try await withSpan(name, ofKind: .internal, isolation: isolation) { _ in try await body() }
    }

    /// A client span around a call to another service: `body` sends the call with
    /// the headers it is given, which carry the span's context (`traceparent`,
    /// `tracestate`) so the far side continues the trace, and reports the status.
    public static func call<T>(
        _ name: @autoclosure () -> String, method: String, url: @autoclosure () -> String, peer: String, headers: HTTPHeaders,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPHeaders) async throws -> (T, status: Int)
    ) async throws -> T {
        guard isTracing else { return try await body(headers).0 }
        var headers = headers
        // Names and URLs are put together only here: with tracing off a call costs no strings.
        let span = startSpan(name(), context: InstrumentationContext.current ?? .topLevel, ofKind: .client)
        defer { span.end() }
        span.attributes["http.request.method"] = method
        span.attributes["url.full"] = url()
        span.attributes["peer.service"] = peer
        InstrumentationSystem.instrument.inject(span.context, into: &headers, using: NIOHeadersInjector())
        do {
            let (value, status) = try await body(headers)
            span.attributes["http.response.status_code"] = status
            if status >= 500 { span.setStatus(.init(code: .error)) }
            return value
        } catch {
            span.recordError(error)
            span.setStatus(.init(code: .error))
            throw error
        }
    }
}

/// Writes trace context into NIO's HTTP headers (AsyncHTTPClient's requests).
struct NIOHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
