import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// A token as the server issues one: only its claims matter here.
func fixtureToken(sub: String = ann.id, role: String = "customer") -> String {
    func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    return encode(#"{"alg":"HS256","typ":"JWT"}"#) + "." + encode(#"{"sub":"\#(sub)","role":"\#(role)","exp":1999999999}"#) + ".c2lnbmF0dXJl"
}

let fixtureKeyLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILVwdEwvBSkfEdzrVkkHOSF3rOuN7Y6OrUqN0FSdEdmz ann@laptop"
let fixtureFingerprint = "SHA256:leYl4+mQ3GQNcyf2CysqRlQBD1ZoaikjRWHRGzUIBSc"

func fixtureSSHKeys() -> [SSHKey] {
    [
        SSHKey(fingerprint: fixtureFingerprint, type: "ssh-ed25519", comment: "ann@laptop", addedAt: fixtureDate, lastUsedAt: fixtureDate.addingTimeInterval(86_400)),
        SSHKey(fingerprint: "SHA256:IeDWDNXgqiv/Mjf/LbMlMyBrwSwPEOH0F6aZDkFhuQQ", type: "ecdsa-sha2-nistp256", comment: nil,
               addedAt: fixtureDate.addingTimeInterval(3_600), lastUsedAt: nil),
    ]
}

/// The profile's SSH keys screen with the keys listed (and the first selected).
func sshKeysModel(size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    let profile = run(browsingModel(size: size, glyphs: glyphs), [key(.char("u"))]).0
    let loaded = UserProfile(userId: ann.id, phone: nil, addresses: [], preferences: UserPreferences())
    let opened = run(profile, [.reply(profile.nextRequestID - 1, .success(loaded)), key(.tab), key(.tab), key(.char("K"))]).0
    var model = run(opened, [.reply(opened.nextRequestID - 1, .success(fixtureSSHKeys()))]).0
    model.notice = nil
    return model
}

@Suite("SSH sessions")
struct SSHSessionTests {
    static let environment = [
        "STOREFRONT_SESSION_TOKEN": fixtureToken(),
        "STOREFRONT_SSH_PUBLIC_KEY": fixtureKeyLine,
        "STOREFRONT_CLIENT_ADDRESS": "203.0.113.7:52011",
    ]

    static func options(_ environment: [String: String], kiosk: Bool = true) throws -> AppOptions {
        guard case .run(let options) = try LaunchOptions.parse(kiosk ? ["--kiosk"] : [], environment: environment) else {
            throw UsageError("not a run")
        }
        return options
    }

    @Test func theSSHServicesVariablesAreReadInAKioskOnly() throws {
        let kiosk = try Self.options(Self.environment)
        #expect(kiosk.ssh == SSHSessionSettings(token: fixtureToken(), publicKey: fixtureKeyLine, fingerprint: fixtureFingerprint,
                                                clientAddress: "203.0.113.7:52011"))
        #expect(try Self.options(Self.environment, kiosk: false).ssh == SSHSessionSettings())
        let named = try Self.options(["STOREFRONT_SSH_FINGERPRINT": "SHA256:IeDWDNXgqiv_Mjf_LbMlMyBrwSwPEOH0F6aZDkFhuQQ"])
        #expect(named.ssh.fingerprint == "SHA256:IeDWDNXgqiv/Mjf/LbMlMyBrwSwPEOH0F6aZDkFhuQQ")
        for (name, value) in [("STOREFRONT_CLIENT_ADDRESS", "1.2.3.4\r\nX-Evil: 1"), ("STOREFRONT_CLIENT_ADDRESS", "shop.example"),
                              ("STOREFRONT_SSH_PUBLIC_KEY", "ssh-rsa AAAA"), ("STOREFRONT_SSH_FINGERPRINT", "MD5:aa"),
                              ("STOREFRONT_SESSION_TOKEN", "a b")] {
            #expect(throws: UsageError.self, "\(name)=\(value)") { try Self.options([name: value]) }
        }
    }

    @Test func aSessionTokenStartsSignedInByKeyAndIsNeverRemembered() throws {
        let options = try Self.options(Self.environment)
        let (model, commands) = Model.start(options: options, size: standardSize)
        #expect(model.session?.token == fixtureToken())
        #expect(model.session?.user.id == ann.id && model.session?.user.role == .customer)
        #expect(model.session?.signedInByKey == fixtureFingerprint)
        #expect(!commands.contains { if case .rememberSession = $0 { true } else { false } })
        #expect(commands.contains { $0.sentRequest?.1.calls(Endpoints.cart) == true }, "the header asks for the cart")
        #expect(view(model).text().split(separator: "\n")[0].contains("signed in by key SHA256:leYl…"))
        #expect(model.keyOffer == nil, "a key that signed in is on an account already")
        // A token that is no JWT signs nobody in.
        var garbled = options
        garbled.ssh.token = "garbled"
        #expect(Model.start(options: garbled, size: standardSize).0.session == nil)
    }

    /// A key that signed in nobody: after signing in, the shop offers once to remember it.
    static func offeredModel(_ reply: APIReply? = nil) throws -> (Model, [Command]) {
        var options = try Self.options(Self.environment)
        options.ssh.token = nil
        let start = Model.start(options: options, size: standardSize).0
        let signingIn = run(start, [key(.char("i"))] + keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)])
        let login = try #require(signingIn.1.compactMap(\.sentRequest).last { $0.1.calls(Endpoints.login) })
        return run(signingIn.0, [.reply(login.0, .success(LoginResponse(token: "t", user: ann)))])
    }

    @Test func signingInOffersOnceToRememberTheKeyAndYAddsIt() throws {
        let (offered, _) = try Self.offeredModel()
        #expect(offered.keyOffer == "ann@example.com")
        #expect(view(offered).text().contains("Remember this key for ann@example.com? y/n"))
        let (asked, commands) = run(offered, [key(.char("y"))])
        #expect(asked.keyOffer == nil)
        let add = try #require(commands.compactMap(\.sentRequest).first { $0.1.calls(Endpoints.addSSHKey) })
        #expect(add.1.body(as: AddSSHKeyRequest.self)?.publicKey == fixtureKeyLine)
        let added = run(asked, [.reply(add.0, .success(fixtureSSHKeys()[0]))]).0
        #expect(added.notice?.text == "Key remembered for SSH sign-in.")
        let taken = APIError.server(code: .sshKeyTaken, message: "This key is on an account already", fieldErrors: [])
        let refused = run(asked, [.reply(add.0, .failure(taken))]).0
        #expect(refused.notice?.text == "Key not added: another account has it.")
        // Signing out and in again does not ask twice.
        #expect(run(offered, [key(.char("n"))]).0.keyOffer == nil)
        #expect(!run(offered, [key(.char("n"))]).1.contains { $0.sentRequest != nil })
    }

    @Test func theKeysScreenListsRemovesAfterAskingAndReloads() throws {
        let model = sshKeysModel()
        let screen = try #require(model.screen as? SSHKeysScreen)
        #expect(screen.keys == fixtureSSHKeys())
        let text = view(model).text()
        #expect(text.contains("ssh-ed25519  ann@laptop") && text.contains(fixtureFingerprint) && text.contains("never used"))
        let (asking, none) = run(model, [key(.char("d"))])
        #expect(none.isEmpty && view(asking).text().contains("Remove the key ann@laptop?"))
        let (removing, commands) = run(asking, [key(.char("y"))])
        let delete = try #require(commands.compactMap(\.sentRequest).first)
        #expect(delete.1.calls(Endpoints.deleteSSHKey))
        #expect(delete.1.call?.path == "/api/users/ssh-keys/SHA256%3AleYl4%2BmQ3GQNcyf2CysqRlQBD1ZoaikjRWHRGzUIBSc")
        let (removed, reload) = run(removing, [.reply(delete.0, .success(fixtureFingerprint))])
        #expect(removed.notice?.text == "Key removed.")
        #expect(reload.compactMap(\.sentRequest).first?.1.calls(Endpoints.sshKeys) == true)
        // Any other key keeps it.
        #expect(run(asking, [key(.char("n"))]).1.isEmpty)
    }
}
