import Foundation
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

@Suite("User service") struct UserServiceTests {
    static let home = AddressInput(street: "12 Rue de la Paix", city: "Paris", state: "Île-de-France", zip: "75002", country: "France")

    static func addresses(_ result: JSONResult) throws -> [Address] {
        try result.reply(Endpoints.addresses).data
    }

    static func defaults(_ client: any APIClient, token: String) async throws -> [String] {
        let list = try await client.send(.get, "/api/users/addresses", token: token)
        #expect(list.status == .ok)
        return try addresses(list).filter(\.isDefault).map(\.id)
    }

    @Test func theFirstProfileReadCreatesAProfileWithDefaultPreferences() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let first = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(first.status == .ok)
            #expect(first.success == true)
            let profile = try first.reply(Endpoints.profile).data
            #expect(profile.userId == user.id)
            // The wire shape: no phone is no `phone` key at all, not null.
            #expect(first.data?["phone"] == nil)
            #expect(profile.addresses.isEmpty)
            #expect(profile.preferences.newsletter == true)
            #expect(profile.preferences.theme == "light")
            let second = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(second.body == first.body)
        }
    }

    @Test func concurrentFirstReadsCreateOneProfile() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let replies = try await withThrowingTaskGroup(of: JSONResult.self) { group in
                for _ in 0..<6 { group.addTask { try await client.send(.get, "/api/users/profile", token: user.token) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .ok }, "\(replies.map(\.body))")
            _ = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(phone: "+33 1 23 45 67 89"))
            let after = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(try after.reply(Endpoints.profile).data.phone == "+33 1 23 45 67 89")
        }
    }

    @Test func updatingTheProfileChangesPhoneAndPreferencesAndKeepsWhatWasNotSent() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let updated = try await client.send(.put, "/api/users/profile", token: user.token,
                                                json: ProfileUpdate(phone: "(555) 123-4567", preferences: .init(newsletter: false, theme: "high-contrast")))
            #expect(updated.status == .ok)
            #expect(updated.message == "Profile updated")
            let profile = try updated.reply(Endpoints.updateProfile).data
            #expect(profile.phone == "(555) 123-4567")
            #expect(profile.preferences.newsletter == false)
            #expect(profile.preferences.theme == "high-contrast")

            let themeOnly = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(preferences: .init(theme: "mono")))
            let themed = try themeOnly.reply(Endpoints.updateProfile).data
            #expect(themed.phone == "(555) 123-4567")
            #expect(themed.preferences.newsletter == false)
            #expect(themed.preferences.theme == "mono")

            let cleared = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(phone: ""))
            #expect(cleared.status == .ok)
            // The wire shape: a removed phone is no `phone` key at all, not null.
            #expect(cleared.data?["phone"] == nil)
            let read = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(read.data?["phone"] == nil)
            #expect(try read.reply(Endpoints.profile).data.preferences.theme == "mono")
        }
    }

    @Test(arguments: ThemeName.allCases)
    func everyThemeTheClientShipsIsAccepted(theme: ThemeName) async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let result = try await client.send(.put, "/api/users/profile", token: user.token, json: ProfileUpdate(preferences: .init(theme: theme.rawValue)))
            #expect(result.status == .ok)
            #expect(try result.reply(Endpoints.updateProfile).data.preferences.theme == theme.rawValue)
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
            #expect(try profile.reply(Endpoints.profile).data.preferences.theme == "light")
            // Still no `phone` key on the wire, not even null.
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
            let address = try created.reply(Endpoints.addAddress).data
            let id = address.id
            #expect(id.count == 24)
            #expect(address.street == "12 Rue de la Paix")
            #expect(address.state == "Île-de-France")
            #expect(address.isDefault == false)

            let list = try await client.send(.get, "/api/users/addresses", token: user.token)
            #expect(try Self.addresses(list).map(\.id) == [id])
            let profile = try await client.send(.get, "/api/users/profile", token: user.token)
            #expect(try profile.reply(Endpoints.profile).data.addresses.first?.city == "Paris")

            let moved = try await client.send(.put, "/api/users/address/\(id)", token: user.token, json: AddressInput(city: "Lyon", state: "", zip: "69001"))
            #expect(moved.status == .ok)
            let changed = try moved.reply(Endpoints.updateAddress).data
            #expect(changed.city == "Lyon")
            #expect(changed.zip == "69001")
            // The wire shape: a cleared state is no `state` key at all, not null.
            #expect(moved.data?["state"] == nil)
            #expect(changed.street == "12 Rue de la Paix")

            let deleted = try await client.send(.delete, "/api/users/address/\(id)", token: user.token)
            #expect(deleted.status == .ok)
            #expect(deleted.message == "Address deleted")
            #expect(try Self.addresses(try await client.send(.get, "/api/users/addresses", token: user.token)).isEmpty)
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
            #expect(try Self.addresses(try await client.send(.get, "/api/users/addresses", token: user.token)).isEmpty)
        }
    }

    @Test func aNewDefaultAddressReplacesTheOldOneAndDeletingTheDefaultLeavesNone() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            var home = Self.home
            home.isDefault = true
            let first = try await client.send(.post, "/api/users/address", token: user.token, json: home).reply(Endpoints.addAddress).data.id
            #expect(try await Self.defaults(client, token: user.token) == [first])
            let second = try await client.send(.post, "/api/users/address", token: user.token, json: home).reply(Endpoints.addAddress).data.id
            #expect(try await Self.defaults(client, token: user.token) == [second])

            let back = try await client.send(.put, "/api/users/address/\(first)", token: user.token, json: AddressInput(isDefault: true))
            #expect(back.status == .ok)
            #expect(try back.reply(Endpoints.updateAddress).data.isDefault == true)
            #expect(try await Self.defaults(client, token: user.token) == [first])

            let off = try await client.send(.put, "/api/users/address/\(first)", token: user.token, json: AddressInput(isDefault: false))
            #expect(try off.reply(Endpoints.updateAddress).data.isDefault == false)
            #expect(try await Self.defaults(client, token: user.token).isEmpty)

            _ = try await client.send(.put, "/api/users/address/\(second)", token: user.token, json: AddressInput(isDefault: true))
            _ = try await client.send(.delete, "/api/users/address/\(second)", token: user.token)
            #expect(try await Self.defaults(client, token: user.token).isEmpty)
            #expect(try Self.addresses(try await client.send(.get, "/api/users/addresses", token: user.token)).count == 1)
        }
    }

    @Test func concurrentDefaultClaimsLeaveExactlyOneDefault() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let home = AddressInput(street: "1 Main St", city: "Springfield", country: "USA", isDefault: true)
            let created = try await withThrowingTaskGroup(of: JSONResult.self) { group in
                for _ in 0..<8 { group.addTask { try await client.send(.post, "/api/users/address", token: user.token, json: home) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(created.allSatisfy { $0.status == .created })
            #expect(try await Self.defaults(client, token: user.token).count == 1)

            let ids = try created.map { try $0.reply(Endpoints.addAddress).data.id }
            #expect(ids.count == 8)
            let claims = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for id in ids { group.addTask { try await client.send(.put, "/api/users/address/\(id)", token: user.token, json: AddressInput(isDefault: true)).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.allSatisfy { $0 == .ok })
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
            let id = try await client.send(.post, "/api/users/address", token: owner.token, json: home).reply(Endpoints.addAddress).data.id
            let otherHome = try await client.send(.post, "/api/users/address", token: other.token, json: home).reply(Endpoints.addAddress).data.id

            let update = try await client.send(.put, "/api/users/address/\(id)", token: other.token, json: AddressInput(city: "Stolen", isDefault: true))
            #expect(update.status == .notFound)
            #expect(update.message == "Address not found")
            let delete = try await client.send(.delete, "/api/users/address/\(id)", token: other.token)
            #expect(delete.status == .notFound)
            // Same answer as an id nobody has, so ids cannot be probed.
            let unknown = try await client.send(.delete, "/api/users/address/0123456789abcdef01234567", token: other.token)
            #expect(unknown.status == .notFound)
            #expect(unknown.body == delete.body)

            let ownerList = try Self.addresses(try await client.send(.get, "/api/users/addresses", token: owner.token))
            #expect(ownerList.count == 1)
            #expect(ownerList.first?.city == "Paris")
            #expect(ownerList.first?.isDefault == true)
            #expect(try await Self.defaults(client, token: other.token) == [otherHome])
            #expect(try Self.addresses(try await client.send(.get, "/api/users/addresses", token: other.token)).map(\.id) == [otherHome])
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
