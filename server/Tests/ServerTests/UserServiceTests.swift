import Foundation
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

/// What a concurrent request answered, in a form that can cross tasks.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var id: String?
    var body: String

    init(_ result: JSONResult) {
        status = result.status
        id = result.data?["id"] as? String
        body = result.body
    }
}

@Suite("User service") struct UserServiceTests {
    static let home = AddressInput(street: "12 Rue de la Paix", city: "Paris", state: "Île-de-France", zip: "75002", country: "France")

    static func addresses(_ result: JSONResult) -> [[String: Any]] {
        result["data"] as? [[String: Any]] ?? []
    }

    static func defaults(_ client: any APIClient, token: String) async throws -> [String] {
        let list = try await client.send(.get, "/api/users/addresses", token: token)
        #expect(list.status == .ok)
        return addresses(list).filter { $0["isDefault"] as? Bool == true }.compactMap { $0["id"] as? String }
    }

    @Test func theFirstProfileReadCreatesAProfileWithDefaultPreferences() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let first = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(first.status == .ok)
            #expect(first.success == true)
            #expect(first.data?["userId"] as? String == user.id)
            #expect(first.data?["phone"] == nil)
            #expect((first.data?["addresses"] as? [Any])?.isEmpty == true)
            let preferences = try #require(first.data?["preferences"] as? [String: Any])
            #expect(preferences["newsletter"] as? Bool == true)
            #expect(preferences["theme"] as? String == "light")
            let second = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(second.body == first.body)
        }
    }

    @Test func concurrentFirstReadsCreateOneProfile() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<6 { group.addTask { Reply(try await client.send(.get, "/api/users/profile", token: user.token)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .ok }, "\(replies.map(\.body))")
            _ = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(phone: "+33 1 23 45 67 89"))
            let after = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(after.data?["phone"] as? String == "+33 1 23 45 67 89")
        }
    }

    @Test func updatingTheProfileChangesPhoneAndPreferencesAndKeepsWhatWasNotSent() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let updated = try await client.send(.put, "/api/users/profile", token: user.token,
                                                json: ProfileUpdate(phone: "(555) 123-4567", preferences: .init(newsletter: false, theme: "high-contrast")))
            #expect(updated.status == .ok)
            #expect(updated.message == "Profile updated")
            #expect(updated.data?["phone"] as? String == "(555) 123-4567")
            #expect((updated.data?["preferences"] as? [String: Any])?["newsletter"] as? Bool == false)
            #expect((updated.data?["preferences"] as? [String: Any])?["theme"] as? String == "high-contrast")

            let themeOnly = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(preferences: .init(theme: "mono")))
            #expect(themeOnly.data?["phone"] as? String == "(555) 123-4567")
            #expect((themeOnly.data?["preferences"] as? [String: Any])?["newsletter"] as? Bool == false)
            #expect((themeOnly.data?["preferences"] as? [String: Any])?["theme"] as? String == "mono")

            let cleared = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(phone: ""))
            #expect(cleared.status == .ok)
            #expect(cleared.data?["phone"] == nil)
            let read = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(read.data?["phone"] == nil)
            #expect((read.data?["preferences"] as? [String: Any])?["theme"] as? String == "mono")
        }
    }

    @Test(arguments: ThemeName.allCases)
    func everyThemeTheClientShipsIsAccepted(theme: ThemeName) async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let result = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(preferences: .init(theme: theme.rawValue)))
            #expect(result.status == .ok)
            #expect((result.data?["preferences"] as? [String: Any])?["theme"] as? String == theme.rawValue)
        }
    }

    @Test(arguments: [
        (#"{"preferences":{"theme":"neon"}}"#, "preferences.theme"),
        (#"{"preferences":{"theme":"Dark"}}"#, "preferences.theme"),
        (#"{"preferences":{"theme":{"$ne":"light"}}}"#, ""),
        (#"{"preferences":{"newsletter":"yes"}}"#, ""),
        (#"{"preferences":{"newsletter":1}}"#, ""),
        (#"{"phone":"call me"}"#, "phone"),
        (#"{"phone":"123"}"#, "phone"),
        (#"{"phone":"+1 234 567 890 123 456"}"#, "phone"),
        (#"{"phone":"12+3456789"}"#, "phone"),
        (#"{"phone":{"$gt":""}}"#, ""),
        (#"[1,2]"#, ""),
        (#"{"phone":"#, ""),
    ])
    func invalidProfileUpdatesAnswer400AndChangeNothing(body: String, field: String) async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let result = try await client.send(.put, "/api/users/profile", token: user.token, raw: body)
            #expect(result.status == .badRequest, "\(body) → \(result.body)")
            #expect(result.success == false)
            #expect(!(result.message ?? "").isEmpty)
            if !field.isEmpty { #expect(result.fieldErrors == [field]) }
            let profile = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect((profile.data?["preferences"] as? [String: Any])?["theme"] as? String == "light")
            #expect(profile.data?["phone"] == nil)
        }
    }

    @Test func everyRouteNeedsASignedInUser() async throws {
        try await withTestApp { client in
            let service = try await TestStores.tokens().issueServiceToken(service: "orders")
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/users/profile"), (.put, "/api/users/profile"), (.get, "/api/users/addresses"),
                (.post, "/api/users/address"), (.put, "/api/users/address/0123456789abcdef01234567"),
                (.delete, "/api/users/address/0123456789abcdef01234567"),
            ]
            for (method, path) in routes {
                let anonymous = try await client.send(method, path, json: Self.home)
                #expect(anonymous.status == .unauthorized, "\(method) \(path)")
                let forged = try await client.send(method, path, token: "not.a.token", json: Self.home)
                #expect(forged.status == .unauthorized, "\(method) \(path)")
                let asService = try await client.send(method, path, token: service, json: Self.home)
                #expect(asService.status == .forbidden, "\(method) \(path)")
            }
        }
    }

    @Test func addingListingUpdatingAndDeletingAnAddress() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let created = try await client.send(.post, "/api/users/address", token: user.token, json: Self.home)
            #expect(created.status == .created)
            #expect(created.message == "Address added")
            let id = try #require(created.data?["id"] as? String)
            #expect(id.count == 24)
            #expect(created.data?["street"] as? String == "12 Rue de la Paix")
            #expect(created.data?["state"] as? String == "Île-de-France")
            #expect(created.data?["isDefault"] as? Bool == false)

            let list = try await client.send(.get, "/api/users/addresses", token: user.token)
            #expect(Self.addresses(list).map { $0["id"] as? String } == [id])
            let profile = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect((profile.data?["addresses"] as? [[String: Any]])?.first?["city"] as? String == "Paris")

            let moved = try await client.send(.put, "/api/users/address/\(id)", token: user.token, json: AddressInput(city: "Lyon", state: "", zip: "69001"))
            #expect(moved.status == .ok)
            #expect(moved.data?["city"] as? String == "Lyon")
            #expect(moved.data?["zip"] as? String == "69001")
            #expect(moved.data?["state"] == nil)
            #expect(moved.data?["street"] as? String == "12 Rue de la Paix")

            let deleted = try await client.send(.delete, "/api/users/address/\(id)", token: user.token)
            #expect(deleted.status == .ok)
            #expect(deleted.message == "Address deleted")
            #expect(Self.addresses(try await client.send(.get, "/api/users/addresses", token: user.token)).isEmpty)
            let again = try await client.send(.delete, "/api/users/address/\(id)", token: user.token)
            #expect(again.status == .notFound)
            let update = try await client.send(.put, "/api/users/address/\(id)", token: user.token, json: AddressInput(city: "Nice"))
            #expect(update.status == .notFound)
        }
    }

    @Test(arguments: [
        (#"{"city":"Paris","country":"France"}"#, ["street"]),
        (#"{"street":"  ","city":"Paris","country":"France"}"#, ["street"]),
        (#"{}"#, ["street", "city", "country"]),
        (#"{"street":"1 A St","city":"Paris","country":"France","zip":"123456789012345678901"}"#, ["zip"]),
        (#"{"street":"1 A St","city":"\#(String(repeating: "x", count: 101))","country":"France"}"#, ["city"]),
        (#"{"street":{"$gt":""},"city":"Paris","country":"France"}"#, []),
        (#"{"street":"1 A St","city":"Paris","country":"France","isDefault":"yes"}"#, []),
    ])
    func invalidAddressesAnswer400(body: String, fields: [String]) async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let result = try await client.send(.post, "/api/users/address", token: user.token, raw: body)
            #expect(result.status == .badRequest, "\(body) → \(result.body)")
            #expect(result.success == false)
            #expect(result.fieldErrors == fields)
            #expect(Self.addresses(try await client.send(.get, "/api/users/addresses", token: user.token)).isEmpty)
        }
    }

    @Test func aNewDefaultAddressReplacesTheOldOneAndDeletingTheDefaultLeavesNone() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            var home = Self.home
            home.isDefault = true
            let first = try #require(try await client.send(.post, "/api/users/address", token: user.token, json: home).data?["id"] as? String)
            #expect(try await Self.defaults(client, token: user.token) == [first])
            let second = try #require(try await client.send(.post, "/api/users/address", token: user.token, json: home).data?["id"] as? String)
            #expect(try await Self.defaults(client, token: user.token) == [second])

            let back = try await client.send(.put, "/api/users/address/\(first)", token: user.token, json: AddressInput(isDefault: true))
            #expect(back.status == .ok)
            #expect(back.data?["isDefault"] as? Bool == true)
            #expect(try await Self.defaults(client, token: user.token) == [first])

            let off = try await client.send(.put, "/api/users/address/\(first)", token: user.token, json: AddressInput(isDefault: false))
            #expect(off.data?["isDefault"] as? Bool == false)
            #expect(try await Self.defaults(client, token: user.token).isEmpty)

            _ = try await client.send(.put, "/api/users/address/\(second)", token: user.token, json: AddressInput(isDefault: true))
            _ = try await client.send(.delete, "/api/users/address/\(second)", token: user.token)
            #expect(try await Self.defaults(client, token: user.token).isEmpty)
            #expect(Self.addresses(try await client.send(.get, "/api/users/addresses", token: user.token)).count == 1)
        }
    }

    @Test func concurrentDefaultClaimsLeaveExactlyOneDefault() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let home = AddressInput(street: "1 Main St", city: "Springfield", country: "USA", isDefault: true)
            let created = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<8 { group.addTask { Reply(try await client.send(.post, "/api/users/address", token: user.token, json: home)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(created.allSatisfy { $0.status == .created })
            #expect(try await Self.defaults(client, token: user.token).count == 1)

            let ids = created.compactMap(\.id)
            #expect(ids.count == 8)
            let claims = try await withThrowingTaskGroup(of: Reply.self) { group in
                for id in ids { group.addTask { Reply(try await client.send(.put, "/api/users/address/\(id)", token: user.token, json: AddressInput(isDefault: true))) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.allSatisfy { $0.status == .ok })
            let defaults = try await Self.defaults(client, token: user.token)
            #expect(defaults.count == 1)
            #expect(ids.contains(defaults[0]))
        }
    }

    @Test func anotherUsersAddressAnswers404AndIsLeftAlone() async throws {
        try await withTestApp { client in
            let owner = try await client.signUp()
            let other = try await client.signUp()
            var home = Self.home
            home.isDefault = true
            let id = try #require(try await client.send(.post, "/api/users/address", token: owner.token, json: home).data?["id"] as? String)
            let otherHome = try #require(try await client.send(.post, "/api/users/address", token: other.token, json: home).data?["id"] as? String)

            let update = try await client.send(.put, "/api/users/address/\(id)", token: other.token, json: AddressInput(city: "Stolen", isDefault: true))
            #expect(update.status == .notFound)
            #expect(update.message == "Address not found")
            let delete = try await client.send(.delete, "/api/users/address/\(id)", token: other.token)
            #expect(delete.status == .notFound)
            // Same answer as an id nobody has, so ids cannot be probed.
            let unknown = try await client.send(.delete, "/api/users/address/0123456789abcdef01234567", token: other.token)
            #expect(unknown.status == .notFound)
            #expect(unknown.body == delete.body)

            let ownerList = Self.addresses(try await client.send(.get, "/api/users/addresses", token: owner.token))
            #expect(ownerList.count == 1)
            #expect(ownerList.first?["city"] as? String == "Paris")
            #expect(ownerList.first?["isDefault"] as? Bool == true)
            #expect(try await Self.defaults(client, token: other.token) == [otherHome])
            #expect(Self.addresses(try await client.send(.get, "/api/users/addresses", token: other.token)).map { $0["id"] as? String } == [otherHome])
        }
    }

    @Test(arguments: ["not-an-id", "0123456789abcdef0123456", "0123456789abcdef0123456g", "%7B%22%24ne%22%3A1%7D"])
    func malformedAddressIdsAnswer400(id: String) async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let update = try await client.send(.put, "/api/users/address/\(id)", token: user.token, json: AddressInput(city: "Nice"))
            #expect(update.status == .badRequest, "\(id) → \(update.body)")
            #expect(update.message == "Address id must be 24 hexadecimal characters")
            let delete = try await client.send(.delete, "/api/users/address/\(id)", token: user.token)
            #expect(delete.status == .badRequest)
        }
    }
}
