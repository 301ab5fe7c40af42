import Foundation
import MarketplaceAPI
import Testing

/// The shipped `marketplace` binary, started as operators start it.
@Suite("marketplace executable") struct ExecutableTests {
    @Test func servesLogsJSONWithRequestIDsAndStopsGracefullyOnSIGTERM() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        let email = "exe-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let password = "pass-\(UUID().uuidString.prefix(8))"
        let registered = try await server.request("POST", "/api/auth/register", json: #"{"name":"Exe","email":"\#(email)","password":"\#(password)"}"#)
        #expect(registered.status == 201)
        let login = try await server.request("POST", "/api/auth/login", json: #"{"email":"\#(email)","password":"\#(password)"}"#, headers: ["X-Request-Id": "e2e-login-1"])
        #expect(login.status == 200)
        #expect(login.headers["x-request-id"] == "e2e-login-1")
        _ = try login.reply(Endpoints.login)

        let status = try await server.stop(signal: SIGTERM)
        #expect(status == 0, "exit status after SIGTERM: \(status)\n\(server.log)")

        let loginLine = await server.logLine { $0["request_id"] as? String == "e2e-login-1" && $0["path"] as? String == "/api/auth/login" }
        #expect(!server.logLines.isEmpty, "logs are JSON lines: \(server.log)")
        #expect(loginLine?["status"] as? String == "200")
        #expect(loginLine?["level"] as? String == "info")
        // Neither the password nor any bcrypt hash ever reaches a log.
        #expect(!server.log.contains(password))
        #expect(!server.log.contains("$2b$") && !server.log.contains("$2a$"))
    }

    @Test func sigintAlsoStopsTheServerCleanly() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        #expect(try await server.request("GET", "/ready").status == 200)
        #expect(try await server.stop(signal: SIGINT) == 0)
    }

    @Test func adminCreateReadsThePasswordFromStandardInput() async throws {
        _ = try await TestStores.prepare()
        let email = "boss-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let created = try await ServerProcess.run(["admin", "create", "--email", email, "--name", "The Boss"],
                                            stdin: "boss-password\n", environment: try ServerProcess.environment(["STOREFRONT_ADMIN_PASSWORD": nil]))
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains("admin created: \(email)"))
        #expect(!created.output.contains("boss-password"))

        try await withTestApp { client in
            let login = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "boss-password"))
            #expect(login.status == .ok, "\(login.body)")
            #expect(try login.reply(Endpoints.login).user.role == .admin, "\(login.body)")
        }

        let again = try await ServerProcess.run(["admin", "create", "--email", email, "--name", "The Boss"],
                                          stdin: "boss-password\n", environment: try ServerProcess.environment(["STOREFRONT_ADMIN_PASSWORD": nil]))
        #expect(again.status != 0)
        #expect(again.output.contains("already exists"))

        let noPassword = try await ServerProcess.run(["admin", "create", "--email", "x-\(email)", "--name", "No Pass"],
                                               stdin: "", environment: try ServerProcess.environment(["STOREFRONT_ADMIN_PASSWORD": nil]))
        #expect(noPassword.status != 0)
        #expect(noPassword.output.contains("no password"))
    }

    @Test func refusesToStartWithoutSecretsOrWithAnInvalidURL() async throws {
        let noSecret = try await ServerProcess.run(["serve"], environment: try ServerProcess.environment(["STOREFRONT_JWT_SECRET": nil]))
        #expect(noSecret.status != 0)
        #expect(noSecret.output.contains("STOREFRONT_JWT_SECRET is not set"))

        let badURL = try await ServerProcess.run(["serve", "--postgres-url", "mysql://nope"], environment: try ServerProcess.environment())
        #expect(badURL.status != 0)
        #expect(badURL.output.contains("not a PostgreSQL URL"))
    }

    @Test func theVersionNamesThePackageAndTheCommitItWasBuiltFrom() async throws {
        let answer = try await ServerProcess.run(["--version"], environment: try ServerProcess.environment())
        #expect(answer.status == 0, "\(answer.output)")
        let line = answer.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("marketplace 0.9.0 (commit "), "\(line)")
        // Built from this checkout: the commit is one of its own.
        let commit = try #require(line.split(separator: " ").last.map { String($0.dropLast().prefix(12)) })
        let known = try await ServerProcess.run(["-C", ServerProcess.packageRoot.path, "cat-file", "-e", commit + "^{commit}"],
                                                environment: ProcessInfo.processInfo.environment, executable: "/usr/bin/git")
        #expect(known.status == 0, "\(line): \(known.output)")
    }

    @Test func anUnknownLogLevelIsRefusedNamingWhereItCameFrom() async throws {
        let fromEnvironment = try await ServerProcess.run(["serve"], environment: try ServerProcess.environment(["LOG_LEVEL": "verbose"]))
        #expect(fromEnvironment.status != 0)
        #expect(fromEnvironment.output.contains("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical: verbose"),
                "\(fromEnvironment.output)")
        let fromFlag = try await ServerProcess.run(["migrate", "--log-level", "loud"], environment: try ServerProcess.environment())
        #expect(fromFlag.status != 0)
        #expect(fromFlag.output.contains("--log-level must be one of"), "\(fromFlag.output)")
        // Any case of a known level is that level.
        let upper = try await ServerProcess.run(["migrate", "--log-level", "ERROR"], environment: try ServerProcess.environment())
        #expect(upper.status == 0, "\(upper.output)")
    }

    @Test func anUnreachableDatabaseAnswers503QuicklyNotAHangOrA500() async throws {
        let server = try await ServerProcess.start(environment: try ServerProcess.environment([
            "STOREFRONT_POSTGRES_URL": "postgres://nobody:nothing@127.0.0.1:1",
            "STOREFRONT_REQUEST_TIMEOUT": "5",
        ]))
        let started = ContinuousClock.now
        let login = try await server.request("POST", "/api/auth/login", json: #"{"email":"a@b.io","password":"secret1"}"#)
        #expect(login.status == 503, "\(login.body)")
        #expect(try login.decode(ErrorEnvelope.self).success == false)
        // The deadline is 5 s; under load the pool's own give-up can add as much again.
        #expect(ContinuousClock.now - started < .seconds(15), "the deadline is 5 s")
        let ready = try await server.request("GET", "/ready")
        #expect(ready.status == 503)
        #expect(try ready.reply(Endpoints.ready).checks?["auth_service"] == "down")
        #expect(try await server.request("GET", "/health").status == 200)
        #expect(try await server.stop() == 0)
    }

    @Test func theGatewayLimitsEachClientAndAnswersCORSPreflights() async throws {
        _ = try await TestStores.prepare()
        // A burst of three, then one request in 20 s: no token comes back while the test
        // runs, however slow the machine. The client is a forwarded address of its own,
        // so the start-up's /health polls (from 127.0.0.1) took nothing from its bucket.
        let server = try await ServerProcess.start(environment: try ServerProcess.environment([
            "STOREFRONT_RATE_LIMIT": "0.05/3",
            "STOREFRONT_TRUSTED_PROXIES": "127.0.0.1",
            "STOREFRONT_CORS_ORIGINS": "https://shop.example",
        ]))
        let path = "/api/products/000000000000000000000000"
        var statuses: [Int] = []
        var limited: ServerProcess.Reply?
        for _ in 0..<5 {
            let reply = try await server.request("GET", path, headers: ["X-Forwarded-For": "203.0.113.7"])
            statuses.append(reply.status)
            if reply.status == 429 { limited = reply }
        }
        #expect(statuses.prefix(3).allSatisfy { $0 != 429 }, "\(statuses)")
        #expect(statuses.suffix(2) == [429, 429], "\(statuses)")
        let retryAfter = limited?.headers["retry-after"].flatMap { Int($0) }
        #expect(retryAfter.map { (1...20).contains($0) } == true, "\(String(describing: limited?.headers))")
        #expect(try limited?.decode(ErrorEnvelope.self).success == false)
        // Another client has a bucket of its own.
        #expect(try await server.request("GET", path, headers: ["X-Forwarded-For": "203.0.113.8"]).status != 429)

        // Preflights are answered before the limit.
        let preflight = try await server.request("OPTIONS", "/api/checkout", headers: [
            "Origin": "https://shop.example", "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://shop.example")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Idempotency-Key") == true)
        let foreign = try await server.request("GET", "/health", headers: ["Origin": "https://evil.example"])
        #expect(foreign.headers["access-control-allow-origin"] == nil)
        #expect(try await server.stop() == 0)
    }
}
