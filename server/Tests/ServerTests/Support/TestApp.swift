import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MarketplaceAPI
import Composition
import SQLMigrations
import NIOCore
import PostgresNIO
import ServiceKit
import Testing

/// The stores the tests run against. They are real servers (`server/dev/stores up`
/// starts them; `make test` does it for you): a test never passes without them.
enum TestStores {
    /// `_test` unless STOREFRONT_TEST_DB_SUFFIX names another, so two test runs on
    /// one machine (two engineers, say) do not drop each other's databases.
    static let suffix = ProcessInfo.processInfo.environment["STOREFRONT_TEST_DB_SUFFIX"].flatMap { $0.isEmpty ? nil : $0 } ?? "_test"

    static func postgresURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["STOREFRONT_POSTGRES_URL"], !url.isEmpty else {
            throw ConfigurationError("STOREFRONT_POSTGRES_URL is not set: these tests need the real PostgreSQL. Run them with `make test`, or `eval \"$(server/dev/stores up)\"` first.")
        }
        return url
    }

    static func mongoURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["STOREFRONT_MONGO_URL"], !url.isEmpty else {
            throw ConfigurationError("STOREFRONT_MONGO_URL is not set: these tests need the real Mongo-wire server. Run them with `make test`, or `eval \"$(server/dev/stores up)\"` first.")
        }
        return url
    }

    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// One configuration for the whole test process: random secrets, `_test` databases.
    static func configuration(suffix: String = TestStores.suffix) throws -> AppConfiguration {
        var configuration = AppConfiguration(
            postgresURL: try postgresURL(),
            tokenSecret: secrets.user,
            serviceSecret: secrets.service)
        configuration.mongoURL = try mongoURL()
        configuration.databaseSuffix = suffix
        // Suites not about hashing sign people up by the hundred: the lowest cost.
        // TheDoorTests and the hashing queue's test set the real one.
        configuration.bcryptCost = 4
        // Some thirty suites sign people up at once in one process, their hashes
        // queueing for the same two cores: past 10 s a sign-up was cut off by its
        // deadline in CI. The deadline's own behaviour is tested with short ones of its
        // own (RequestDeadlineTests, ExecutableTests, StoreOutageTests).
        configuration.requestTimeout = .seconds(30)
        configuration.port = 0
        // The suites share one client address; the limits have tests of their own
        // (RateLimitIdentityTests, TheDoorTests).
        configuration.rateLimitPerSecond = nil
        configuration.signUpInterval = nil
        configuration.hashingPerClient = 1_000
        return configuration
    }

    static let secrets: (user: String, service: String) = (randomSecret(), randomSecret())

    static func randomSecret() -> String {
        (0..<48).map { _ in String("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()!) }.joined()
    }

    /// Drops the previous run's test databases and migrates new ones, once per process.
    static func prepare() async throws -> AppConfiguration {
        let configuration = try configuration()
        try await Preparation.shared.run { try await reset(configuration) }
        return configuration
    }

    /// Databases of their own (`<suffix>_<name>`), fresh, for a test whose deployment
    /// settles stale checkouts within a second: on the shared databases it would
    /// claim the live checkouts of the tests running beside it.
    static func prepareIsolated(_ name: String) async throws -> AppConfiguration {
        let configuration = try configuration(suffix: suffix + "_" + name)
        try await reset(configuration)
        return configuration
    }

    private static func reset(_ configuration: AppConfiguration) async throws {
            let location = try PostgresLocation(url: configuration.postgresURL)
            let maintenance = location.client(database: "postgres", logger: logger)
            try await PostgresClient.withRunning(maintenance) { client in
                for base in Database.postgres {
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(configuration.databaseName(base)) WITH (FORCE)"), logger: logger)
                }
            }
            _ = try await migrateAll(configuration, logger: logger)
            let documents = try DocumentStores(configuration: configuration)
            try await documents.users.drop()
            try await documents.products.drop()
    }

    static func tokens() async throws -> TokenService {
        try await TokenService(userSecret: secrets.user, serviceSecret: secrets.service)
    }
}

/// Runs a piece of set-up once per process, even when suites start in parallel.
actor Preparation {
    static let shared = Preparation()
    private var task: Task<Void, any Error>?

    func run(_ work: @escaping @Sendable () async throws -> Void) async throws {
        if let task { return try await task.value }
        let task = Task { try await work() }
        self.task = task
        try await task.value
    }
}

/// Builds the real application on the test databases and hands a client to `body`.
func withTestApp(
    _ setup: TestingSetup = .router,
    _ body: @Sendable (any APIClient) async throws -> Void
) async throws {
    let configuration = try await TestStores.prepare()
    let app = try await buildApplication(configuration, logger: TestStores.logger)
    try await app.test(setup) { client in try await body(TestAppClient(base: client)) }
}

/// How a test talks to the marketplace: in-process through Hummingbird's test
/// client, or over real HTTP to a running deployment (see `Deployments`).
protocol APIClient: Sendable {
    func exchange(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields, body: ByteBuffer?) async throws -> JSONResult
}

extension APIClient {
    /// `GET /ready` once every store answers, or its last answer at the deadline. A new
    /// process's pools connect on the first ask, which on a machine busy with other
    /// suites can take longer than the readiness check waits (and answers 503 meanwhile).
    func readyOnceUp(within seconds: Double = 20) async throws -> JSONResult {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let ready = try await send(.get, "/ready")
            if ready.status == .ok || ContinuousClock.now >= deadline { return ready }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

struct TestAppClient: APIClient {
    let base: any TestClientProtocol

    func exchange(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields, body: ByteBuffer?) async throws -> JSONResult {
        try await base.execute(uri: uri, method: method, headers: headers, body: body) { response in
            JSONResult(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}

/// An answer the tests read as the shared `MarketplaceAPI` types.
protocol TypedAnswer {
    var body: String { get }
    /// The HTTP status code, for the message when the body is not what was expected.
    var statusCode: Int { get }
}

extension TypedAnswer {
    /// The body as `type`, decoded as the services' own clients decode answers
    /// (`JSONBody.decoder`: ISO-8601 dates, exact money). A body that is not a
    /// `type` fails the test where this is called, with the body in the message.
    func decode<T: Decodable>(_ type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        var problem = ""
        let decoded: T?
        do {
            decoded = try JSONBody.decoder.decode(T.self, from: Data(body.utf8))
        } catch {
            decoded = nil
            problem = "\(error)"
        }
        return try #require(decoded, "HTTP \(statusCode) answered no \(T.self) (\(problem)): \(body.prefix(2_000))", sourceLocation: sourceLocation)
    }

    /// The answer of a successful call to `endpoint`, as the route table declares it.
    func reply<Input, Output>(_ endpoint: Endpoint<Input, Output>, sourceLocation: SourceLocation = #_sourceLocation) throws -> Output {
        try decode(Output.self, sourceLocation: sourceLocation)
    }
}

extension ServerProcess.Reply: TypedAnswer {
    var statusCode: Int { status }
}

/// A decoded JSON response: typed through `decode`/`reply`; `object` and the
/// subscripts are for the checks of the raw wire shape (a field absent, exact keys).
// Immutable once decoded; `[String: Any]` is what keeps the compiler from seeing that.
struct JSONResult: TypedAnswer, @unchecked Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let object: [String: Any]
    let body: String

    init(status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        // Every failure any test sees, from the server or the gateway, must carry a documented code.
        // (`/ready` answers its checks, not an envelope.)
        if status.code >= 400, !object.isEmpty, object["checks"] == nil, (object["code"] as? String).flatMap(ErrorCode.init(rawValue:)) == nil {
            Issue.record("HTTP \(status.code) answered without a documented error code: \(body.prefix(300))")
        }
    }

    var statusCode: Int { Int(status.code) }

    /// The error code of a failure.
    var code: ErrorCode? { (object["code"] as? String).flatMap(ErrorCode.init(rawValue:)) }

    subscript(key: String) -> Any? { object[key] }
    var data: [String: Any]? { object["data"] as? [String: Any] }
    var message: String? { object["message"] as? String }
    var success: Bool? { object["success"] as? Bool }
    var fieldErrors: [String] { (object["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [] }
}

extension APIClient {
    /// Sends `json` (an encodable value, or raw text when a String) and decodes the envelope.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil,
        json: (any Encodable)? = nil, raw: String? = nil, headers: HTTPFields = [:]
    ) async throws -> JSONResult {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            fields[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONEncoder().encode(json))
        } else if let raw {
            fields[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        }
        return try await exchange(method, uri, headers: fields, body: body)
    }

    /// Sends again, as a well-behaved client does, while the server answers that
    /// it is busy (503 with `Retry-After`: its hashing queue is full while many
    /// tests sign up at once), for at most a minute.
    func sendHonouringBusy(_ method: HTTPRequest.Method, _ uri: String, json: any Encodable) async throws -> JSONResult {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let result = try await send(method, uri, json: json)
            guard result.status == .serviceUnavailable, let after = result.headers[.retryAfter].flatMap(Int.init),
                  ContinuousClock.now < deadline else { return result }
            try await Task.sleep(for: .seconds(after) / 4)
        }
    }

    /// Registers a fresh account and logs it in. Admins are created through the
    /// repository, as `marketplace admin create` does, since nobody can register as one.
    func signUp(role: Role = .customer, name: String = "Test Shopper") async throws -> (token: String, id: String, email: String) {
        let email = "\(role.rawValue)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let password = "correct horse"
        if role == .admin {
            try await TestAccounts.createAdmin(name: name, email: email, password: password)
        } else {
            let registered = try await sendHonouringBusy(.post, "/api/auth/register", json: RegisterRequest(name: name, email: email, password: password, role: role.rawValue))
            #expect(registered.status == .created, "register failed: \(registered.body)")
        }
        let login = try await sendHonouringBusy(.post, "/api/auth/login", json: LoginRequest(email: email, password: password))
        let answer = try login.reply(Endpoints.login)
        return (answer.token, answer.user.id, email)
    }
}
