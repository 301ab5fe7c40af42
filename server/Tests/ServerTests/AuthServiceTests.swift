import Foundation
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

@Suite("Auth service") struct AuthServiceTests {
    static func uniqueEmail(_ prefix: String = "ann") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
    }

    @Test func registeringAnswers201WithTheAccountAndNoPasswordHash() async throws {
        try await withTestApp { client in
            let email = Self.uniqueEmail()
            let result = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann Lee", email: email, password: "secret1", role: "vendor"))
            #expect(result.status == .created)
            #expect(result.success == true)
            #expect(result.message == "User registered successfully")
            let account = try result.reply(Endpoints.register).data
            #expect(account.email == email)
            #expect(account.name == "Ann Lee")
            #expect(account.role == .vendor)
            #expect(UUID(uuidString: account.id) != nil)
            #expect(!result.body.contains("password"))
            #expect(!result.body.contains("$2b$"))
        }
    }

    @Test func roleDefaultsToCustomer() async throws {
        try await withTestApp { client in
            let result = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Bo", email: Self.uniqueEmail(), password: "secret1"))
            #expect(result.status == .created)
            #expect(try result.reply(Endpoints.register).data.role == .customer)
        }
    }

    @Test func emailsDifferingOnlyInCaseAreOneAccount() async throws {
        try await withTestApp { client in
            let local = "Case-\(UUID().uuidString.prefix(6))"
            let first = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann", email: "\(local)@X.io", password: "secret1"))
            #expect(first.status == .created)
            #expect(try first.reply(Endpoints.register).data.email == "\(local.lowercased())@x.io")
            let second = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann", email: "\(local.lowercased())@x.io", password: "other-secret"))
            #expect(second.status == .conflict)
            #expect(second.success == false)
            #expect(second.message == "An account with this email already exists")
            let login = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: "\(local.uppercased())@X.IO", password: "secret1"))
            #expect(login.status == .ok)
        }
    }

    @Test func concurrentRegistrationsOfOneEmailCreateOneAccount() async throws {
        try await withTestApp { client in
            let email = Self.uniqueEmail("race")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Racer", email: email, password: "secret1")).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 7)
        }
    }

    @Test(arguments: [
        (#"{"email":"a@b.io","password":"secret1"}"#, "name"),
        (#"{"name":"   ","email":"a@b.io","password":"secret1"}"#, "name"),
        (#"{"name":"A","password":"secret1"}"#, "email"),
        (#"{"name":"A","email":"not-an-email","password":"secret1"}"#, "email"),
        (#"{"name":"A","email":"a@b","password":"secret1"}"#, "email"),
        (#"{"name":"A","email":"a b@c.io","password":"secret1"}"#, "email"),
        (#"{"name":"A","email":"a@@c.io","password":"secret1"}"#, "email"),
        (#"{"name":"A","email":"a@b.io","password":"12345"}"#, "password"),
        (#"{"name":"A","email":"a@b.io"}"#, "password"),
        (#"{"name":"A","email":"a@b.io","password":"secret1","role":"superuser"}"#, "role"),
    ])
    func invalidRegistrationsAnswer400NamingTheField(body: String, field: String) async throws {
        try await withTestApp { client in
            let result = try await client.send(.post, "/api/auth/register", raw: body)
            #expect(result.status == .badRequest)
            #expect(result.success == false)
            #expect(result.fieldErrors.contains(field), "expected an error on \(field): \(result.body)")
        }
    }

    @Test func tooLongNameAndPasswordAreRefused() async throws {
        try await withTestApp { client in
            let result = try await client.send(.post, "/api/auth/register", json: RegisterRequest(
                name: String(repeating: "n", count: 256), email: Self.uniqueEmail(), password: String(repeating: "p", count: 73)))
            #expect(result.status == .badRequest)
            #expect(Set(result.fieldErrors) == ["name", "password"])
        }
    }

    @Test func wrongTypesAndMalformedJSONAnswer400() async throws {
        try await withTestApp { client in
            let wrongType = try await client.send(.post, "/api/auth/register", raw: #"{"name":5,"email":"a@b.io","password":"secret1"}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.message == "'name' must be a string")
            let malformed = try await client.send(.post, "/api/auth/login", raw: #"{"email": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.message == "Malformed JSON body")
            let array = try await client.send(.post, "/api/auth/login", raw: "[1,2]")
            #expect(array.status == .badRequest)
            #expect(array.message == "Request body must be a JSON object")
            let empty = try await client.send(.post, "/api/auth/login")
            #expect(empty.status == .badRequest)
        }
    }

    @Test func selfRegistrationAsAdminIsForbidden() async throws {
        try await withTestApp { client in
            let email = Self.uniqueEmail("wannabe")
            let result = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Mallory", email: email, password: "secret1", role: "admin"))
            #expect(result.status == .forbidden)
            #expect(result.message == "Only an admin can create admin accounts")
            // Nothing was created: the same email can still register as a customer.
            let retry = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Mallory", email: email, password: "secret1"))
            #expect(retry.status == .created)

            let vendor = try await client.signUp(role: .vendor)
            let byVendor = try await client.send(.post, "/api/auth/register", token: vendor.token, json: RegisterRequest(name: "M", email: Self.uniqueEmail(), password: "secret1", role: "admin"))
            #expect(byVendor.status == .forbidden)
        }
    }

    @Test func anAdminCanCreateAnotherAdmin() async throws {
        try await withTestApp { client in
            let admin = try await client.signUp(role: .admin)
            let result = try await client.send(.post, "/api/auth/register", token: admin.token, json: RegisterRequest(name: "Second Admin", email: Self.uniqueEmail("admin2"), password: "secret1", role: "admin"))
            #expect(result.status == .created)
            #expect(try result.reply(Endpoints.register).data.role == .admin)
        }
    }

    @Test func loginAnswersTokenAndUser() async throws {
        try await withTestApp { client in
            let email = Self.uniqueEmail()
            _ = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann", email: email, password: "secret1", role: "vendor"))
            let login = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "secret1"))
            #expect(login.status == .ok)
            #expect(login.success == true)
            let answer = try login.reply(Endpoints.login)
            #expect(answer.user.email == email)
            #expect(answer.user.role == .vendor)
            // The wire shape: no hash under any name, which no type would notice.
            let user = try #require(login["user"] as? [String: Any])
            #expect(user["password_hash"] == nil && user["passwordHash"] == nil)

            let caller = try await TestStores.tokens().verify(answer.token)
            #expect(caller == .user(SignedInUser(id: try #require(UserID(answer.user.id)), role: .vendor)))
        }
    }

    @Test func loginFailuresDoNotRevealWhetherTheEmailExists() async throws {
        try await withTestApp { client in
            let email = Self.uniqueEmail()
            _ = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann", email: email, password: "secret1"))
            let wrongPassword = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "secret2"))
            let unknownEmail = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: Self.uniqueEmail("ghost"), password: "secret2"))
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            #expect(wrongPassword.body == unknownEmail.body)

            let missing = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: nil, password: nil))
            #expect(missing.status == .badRequest)
            #expect(Set(missing.fieldErrors) == ["email", "password"])
        }
    }
}
