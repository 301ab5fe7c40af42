import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import NIOCore
import ServiceKit
import Testing

/// Tracing across the split form: seven service processes behind nginx export
/// their spans over OTLP/HTTP to a receiver this test runs, and one checkout,
/// sent with the test's own `traceparent`, reads as one trace of its steps.
@Suite("Tracing", .serialized) struct TracingTests {
    @Test func aCheckoutInTheSplitFormIsOneTraceOfItsSteps() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { receiver.stop() }
        let deployment = try await SplitDeployment.start([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiver.port)",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        ])
        defer { deployment.stop() }
        let client = deployment.client
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 3)
        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)

        // A malformed traceparent (two values here, as a careless proxy might send)
        // starts a new trace: answered as usual, and no process logs the request's
        // headers, credentials included, complaining about it.
        var twoParents = HTTPFields()
        twoParents.append(HTTPField(name: HTTPField.Name("traceparent")!, value: "00-\(Self.hex(16))-\(Self.hex(8))-01"))
        twoParents.append(HTTPField(name: HTTPField.Name("traceparent")!, value: "00-\(Self.hex(16))-\(Self.hex(8))-01"))
        let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token, headers: twoParents)
        #expect(cart.status == .ok, "\(cart.body)")

        // The caller's span: the gateway must pass it on, the checkout service continue it.
        let traceID = Self.hex(16), callerSpan = Self.hex(8)
        var headers = HTTPFields()
        headers[HTTPField.Name("traceparent")!] = "00-\(traceID)-\(callerSpan)-01"
        let placed = try await client.send(.post, "/api/checkout", token: shopper.token,
                                           json: CheckoutRequest(shippingAddress: CheckoutTests.address, paymentMethod: "tok_visa"),
                                           headers: headers)
        #expect(placed.status == .ok, "\(placed.body)")

        // Spans arrive in batches from five processes: wait, with a deadline, for every
        // span asserted below, the checkout's own request span included (it ends
        // last, after the answer, so it comes in a later batch than the steps').
        let steps = ["checkout: create order", "checkout: reserve stock", "checkout: take payment", "checkout: confirm order"]
        var trace: [ReceivedSpan] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            trace = await receiver.spans.filter { $0.traceID == traceID }
            let names = Set(trace.map(\.name))
            let services = Set(trace.map(\.service))
            if steps.allSatisfy(names.contains),
               ["marketplace-checkout", "marketplace-orders", "marketplace-inventory", "marketplace-payments"].allSatisfy(services.contains),
               trace.filter({ $0.service == "marketplace-orders" && $0.kind == .server }).count >= 2,
               trace.contains(where: { $0.service == "marketplace-checkout" && $0.kind == .server && $0.name.contains("/api/checkout") }) {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let summary = trace.map { "\($0.service) \($0.kind) \($0.name) \($0.spanID) <- \($0.parentID ?? "-")" }.joined(separator: "\n")
        let byID = Dictionary(trace.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })

        // One trace: every span's parent is the caller's span or another span of it.
        let received = await receiver.spans.count
        #expect(!trace.isEmpty, "no spans of trace \(traceID) arrived; received \(received) in all\n\(deployment.logs())")
        for span in trace {
            #expect(span.parentID == callerSpan || span.parentID.map { byID[$0] != nil } == true,
                    "\(span.service) \(span.name) has a parent outside the trace\n\(summary)")
        }
        func ancestors(_ span: ReceivedSpan) -> [ReceivedSpan] {
            var chain: [ReceivedSpan] = [], next = span.parentID.flatMap { byID[$0] }
            while let current = next, chain.count < 50 { chain.append(current); next = current.parentID.flatMap { byID[$0] } }
            return chain
        }

        let logs = deployment.logs(lines: 100_000)
        #expect(!logs.contains(shopper.token), "a service logged a shopper's token")
        #expect(!logs.contains("Bearer "), "a service logged a credential")

        // The checkout service's request span continues the caller's, through nginx.
        let root = try #require(trace.first { $0.service == "marketplace-checkout" && $0.kind == .server && $0.name.contains("/api/checkout") },
                                "no server span for the checkout\n\(summary)")
        #expect(root.parentID == callerSpan, "\(summary)")

        // Each step is a span under it, and the service the step calls answers in a
        // server span whose parent is the checkout service's client span for that call.
        let calls = ["checkout: create order": "marketplace-orders", "checkout: reserve stock": "marketplace-inventory",
                     "checkout: take payment": "marketplace-payments", "checkout: confirm order": "marketplace-orders"]
        for (step, service) in calls {
            let stepSpan = try #require(trace.first { $0.name == step && $0.service == "marketplace-checkout" }, "no span \(step)\n\(summary)")
            #expect(ancestors(stepSpan).contains { $0.spanID == root.spanID }, "\(step) is not under the checkout request\n\(summary)")
            let answered = trace.filter { span in
                span.service == service && span.kind == .server
                    && span.parentID.flatMap { byID[$0] }.map { $0.kind == .client && $0.service == "marketplace-checkout" } == true
                    && ancestors(span).contains { $0.spanID == stepSpan.spanID }
            }
            #expect(!answered.isEmpty, "\(step): no server span in \(service) under its call\n\(summary)")
        }
    }

    @Test func tracingIsOnOnlyWhenAnEndpointIsNamed() {
        #expect(!Telemetry.tracingRequested([:]))
        #expect(Telemetry.tracingRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]))
        #expect(Telemetry.tracingRequested(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"]))
        #expect(!Telemetry.tracingRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": ""]))
        #expect(!Telemetry.tracingRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"]))
        #expect(!Telemetry.tracingRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"]))
    }

    @Test func onlyOneWellFormedTraceparentIsContinued() {
        #expect(TraceContextGuard<AppRequestContext>.isWellFormed("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed("00-00000000000000000000000000000000-b7ad6b7169203331-01"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01, 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        #expect(!TraceContextGuard<AppRequestContext>.isWellFormed(""))
    }

    static func hex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 1...255)) }.joined()
    }
}

/// One span as an OTLP/JSON export carries it.
struct ReceivedSpan: Sendable {
    enum Kind: Sendable { case server, client, other }
    var traceID: String
    var spanID: String
    var parentID: String?
    var name: String
    var kind: Kind
    var service: String
}

/// A small OTLP/HTTP receiver (JSON encoding) on a loopback port: keeps every span
/// posted to /v1/traces.
final class OTLPReceiver: Sendable {
    private let store: Store
    private let task: Task<Void, any Error>
    let port: Int

    actor Store {
        var spans: [ReceivedSpan] = []
        func add(_ new: [ReceivedSpan]) { spans += new }
    }

    var spans: [ReceivedSpan] { get async { await store.spans } }

    private init(port: Int, store: Store, task: Task<Void, any Error>) {
        self.port = port
        self.store = store
        self.task = task
    }

    static func start() async throws -> OTLPReceiver {
        let store = Store()
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            await store.add(Self.spans(in: Data(buffer: body)))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw ServerProcessError("the OTLP receiver did not start")
        }
        return OTLPReceiver(port: port, store: store, task: task)
    }

    func stop() { task.cancel() }

    /// resourceSpans[].resource.attributes[service.name], scopeSpans[].spans[]; ids
    /// as hex, as OTLP/JSON writes them (base64 accepted too).
    static func spans(in data: Data) -> [ReceivedSpan] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var result: [ReceivedSpan] = []
        for resource in root["resourceSpans"] as? [[String: Any]] ?? [] {
            let attributes = (resource["resource"] as? [String: Any])?["attributes"] as? [[String: Any]] ?? []
            let service = attributes.first { $0["key"] as? String == "service.name" }
                .flatMap { ($0["value"] as? [String: Any])?["stringValue"] as? String } ?? "?"
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    guard let trace = (span["traceId"] as? String).flatMap(hexID), let id = (span["spanId"] as? String).flatMap(hexID) else { continue }
                    let parent = (span["parentSpanId"] as? String).flatMap(hexID)
                    let kind: ReceivedSpan.Kind = switch "\(span["kind"] ?? "")" {
                    case "2", "SPAN_KIND_SERVER": .server
                    case "3", "SPAN_KIND_CLIENT": .client
                    default: .other
                    }
                    result.append(ReceivedSpan(traceID: trace, spanID: id, parentID: parent, name: span["name"] as? String ?? "",
                                               kind: kind, service: service))
                }
            }
        }
        return result
    }

    static func hexID(_ text: String) -> String? {
        if text.isEmpty { return nil }
        if (text.count == 32 || text.count == 16), text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text), !bytes.isEmpty else { return nil }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
