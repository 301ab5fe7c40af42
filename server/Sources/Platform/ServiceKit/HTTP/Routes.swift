import Foundation
import Hummingbird
import MarketplaceAPI

// Routes are added from the endpoint table (`MarketplaceAPI.Endpoints`): the
// path and method come from the declaration, and so does the access check,
// which runs before the handler. A controller only says what the route does.

extension RouterMethods where Context == AppRequestContext {
    /// A route without a request body.
    @discardableResult
    public func on<Reply>(_ endpoint: Endpoint<NoBody, Reply>,
                          use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response) -> Self {
        on(RouterPath(endpoint.template), method: HTTPRequest.Method(endpoint.method)) { request, context in
            try context.check(endpoint.access)
            try Self.checkParameters(endpoint.route, context)
            return try await handler(request, context)
        }
    }

    /// A route whose JSON body is decoded (after the access check) into the endpoint's `Body`.
    @discardableResult
    public func on<Body, Reply>(_ endpoint: Endpoint<Body, Reply>,
                                use handler: @escaping @Sendable (Request, AppRequestContext, Body) async throws -> Response) -> Self {
        on(RouterPath(endpoint.template), method: HTTPRequest.Method(endpoint.method)) { request, context in
            try context.check(endpoint.access)
            try Self.checkParameters(endpoint.route, context)
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await handler(request, context, body)
        }
    }
}

extension RouterMethods where Context == AppRequestContext {
    /// Path parameters are ids (taken as sent, never percent-decoded): no store is
    /// ever asked about one that no id can be. A key's fingerprint is the one
    /// parameter read decoded (`SSHFingerprint.normalized`, by its handler): its
    /// base64 has `/` and `+`, which a path carries as `%2F` and `%2B`, so it is
    /// measured as it will be read.
    static func checkParameters(_ route: Route, _ context: AppRequestContext) throws {
        for name in route.parameters {
            var value = context.parameters.get(name) ?? ""
            if name == "fingerprint" { value = value.removingPercentEncoding ?? value }
            if let problem = InputRules.idProblem(value, label: name) { throw AppError.badRequest(problem) }
        }
    }
}

extension HTTPRequest.Method {
    init(_ verb: HTTPVerb) {
        self.init(verb.rawValue)!  // GET, POST, PUT, DELETE: always valid tokens
    }
}
