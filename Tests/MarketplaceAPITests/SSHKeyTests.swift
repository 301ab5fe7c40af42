import Foundation
import Testing
@testable import MarketplaceAPI

/// SHA-256 against FIPS 180-4's vectors, and key lines read as `ssh-keygen` wrote
/// them (each fingerprint below is `ssh-keygen -lf`'s for that line).
@Suite struct SSHKeyTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func sha256MatchesTheStandardsVectors() {
        #expect(Self.hex(SHA256Digest.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(SHA256Digest.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(SHA256Digest.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.hex(SHA256Digest.hash(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)))
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(Self.hex(SHA256Digest.hash([UInt8](repeating: 0x61, count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Lengths around the padding boundary (55, 56, 63, 64 bytes).
        #expect(Self.hex(SHA256Digest.hash([UInt8](repeating: 0x61, count: 55))) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(Self.hex(SHA256Digest.hash([UInt8](repeating: 0x61, count: 56))) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(Self.hex(SHA256Digest.hash([UInt8](repeating: 0x61, count: 64))) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    static let keys: [(line: String, type: SSHKeyType, fingerprint: String)] = [
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILVwdEwvBSkfEdzrVkkHOSF3rOuN7Y6OrUqN0FSdEdmz shopper@example.com",
         .ed25519, "SHA256:leYl4+mQ3GQNcyf2CysqRlQBD1ZoaikjRWHRGzUIBSc"),
        ("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDoVdk1vdN8A8rxOYucmQ3lzdKQxYJqz3QkxLkzyi5H56aqVzaFTkZUF8yJVVSLZ0qny/zQ/oSCtKOdek1RCCLo= shopper@example.com",
         .ecdsaP256, "SHA256:IeDWDNXgqiv/Mjf/LbMlMyBrwSwPEOH0F6aZDkFhuQQ"),
        ("ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBNKe1s8AhRtCN+QmrRiL+jwWR/qFmCKyXIK18K33uBilw0L+H9NDgB7X+MQO+MOB9C+xJ139YVzGXiRG2fKHIsXwuX9RNwlj2tBgY/D1nd6WXHUXcWoxs8xX5zNzAHEYjg== shopper@example.com",
         .ecdsaP384, "SHA256:bwEU4CCqkx1SnjdyAHCVHQNHg9fkHTIepGPAyJQnSrc"),
        ("ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAF4E8SzZ+TdT6WjLdBN1ZXDEcZlTOQ8/NjiGym2qSRPbi12p6tSooUoaM8gS0LLs6FcdcXdUmw9U0KGJEO4ge7iQwGoEZ8oi4KdN8NjtFVK2NMnpXo7PZ8mfPM33ts/no/nZW80wpKAqDW1VqEG+yTnm/Pz3XigzkaGcc4A1q250RKdZg== shopper@example.com",
         .ecdsaP521, "SHA256:oYLS56MWO5yJMpqDn74dOlB9kcnd7vceRt20odysEuk"),
    ]

    static let rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDZS5q0eanO5lqYa5RuADQX1eZELDSpVQIKG7ERrDAS7VxSGBYVAWJCaarMN0pM/LtvwVZ8Ps8VyZ48UfR48jIDHFP/m8Gjp64cuT4PIePw5x05RQ/CK35TobEl+LWWZ6Ku2A/pL6MTaiYrf4AYLGFVySxv/olvdohM/Iq8bgyfQ7aC+wiDwcRTLRD4neVHIr/lIxe0HzE/F7LG5HVGTf4kpIfPpSQC/5Z92+CJgs75teOw9rZ+VW7bEv47TN+UqvXjs953glrrqdGJDmnpg5BG+l2noed32CFv9eiD9/ZycEo44UqnCGVDjFa8Hor4z90b/nqoppO79rZAwGNCI5rz shopper@example.com"

    @Test func keysOfEachSupportedTypeReadWithSSHKeygensFingerprint() throws {
        for key in Self.keys {
            let parsed = try InputRules.sshPublicKey(key.line).get()
            #expect(parsed.type == key.type)
            #expect(parsed.fingerprint == key.fingerprint, "\(key.type)")
            #expect(parsed.comment == "shopper@example.com")
            #expect(key.line.hasPrefix(parsed.keyText + " "))
        }
        // Without a comment, with tabs and surrounding blanks, with a comment of several words.
        let bare = try InputRules.sshPublicKey("  " + Self.keys[0].line.split(separator: " ")[0...1].joined(separator: "\t") + "\n").get()
        #expect(bare.comment == nil && bare.fingerprint == Self.keys[0].fingerprint)
        #expect(try InputRules.sshPublicKey(Self.keys[0].line + " laptop  2026").get().comment == "shopper@example.com laptop  2026")
    }

    @Test func rsaAndOtherUnverifiableTypesAreRefusedAsSuch() {
        for line in [Self.rsa, "ssh-dss AAAAB3NzaC1kc3MAAACBAIwi", "sk-ssh-ed25519@openssh.com AAAA x", "ssh-ed25519-cert-v01@openssh.com AAAA"] {
            guard case .failure(let problem) = InputRules.sshPublicKey(line) else { Issue.record("accepted \(line.prefix(20))"); continue }
            #expect(problem.code == .sshKeyTypeUnsupported, "\(line.prefix(20))")
            #expect(problem.message.contains("ssh-ed25519") && problem.message.contains("ecdsa-sha2-nistp256"))
        }
    }

    @Test func malformedLinesAreRefusedWithTheirOwnCode() {
        let ed = Self.keys[0].line.split(separator: " ").map(String.init)
        let p256 = Self.keys[1].line.split(separator: " ").map(String.init)
        let blob = [UInt8](Data(base64Encoded: ed[1])!)
        func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        let cases: [String?] = [
            nil, "", "   ", "ssh-ed25519", "ssh-ed25519 !!!notbase64", "nonsense AAAA",
            "ssh-ed25519 " + encode(Array(blob.dropLast())),  // cut short
            "ssh-ed25519 " + encode(blob + [0]),  // a byte after the key
            "ecdsa-sha2-nistp256 " + ed[1],  // the line's type is not the blob's
            "ssh-ed25519 " + p256[1],
            "ecdsa-sha2-nistp384 " + p256[1],  // a P-256 key called P-384
            "ssh-ed25519 " + encode([0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 31] + [UInt8](repeating: 1, count: 31)),
            "ssh-ed25519 " + encode([0xff, 0xff, 0xff, 0xff] + blob),  // a length past the end
            ed[0] + " " + ed[1] + " comment\u{7}bell",
            ed[0] + " " + ed[1] + " " + String(repeating: "c", count: 256),
            "command=\"x\" " + Self.keys[0].line,  // authorized_keys options
            String(repeating: "a", count: 9000),
        ]
        for line in cases {
            guard case .failure(let problem) = InputRules.sshPublicKey(line) else { Issue.record("accepted \(String(describing: line).prefix(60))"); continue }
            #expect(problem.code == .sshKeyInvalid, "\(String(describing: line).prefix(60))")
        }
    }

    @Test func fingerprintsReadInEverySpellingAPathMayCarry() {
        let fingerprint = "SHA256:IeDWDNXgqiv/Mjf/LbMlMyBrwSwPEOH0F6aZDkFhuQQ"
        #expect(SSHFingerprint.normalized(fingerprint) == fingerprint)
        #expect(SSHFingerprint.normalized(Endpoints.deleteSSHKey.path(fingerprint).split(separator: "/").last.map(String.init) ?? "") == fingerprint)
        #expect(SSHFingerprint.normalized(SSHFingerprint.urlSafe(fingerprint)) == fingerprint)
        #expect(SSHFingerprint.urlSafe(fingerprint) == "SHA256:IeDWDNXgqiv_Mjf_LbMlMyBrwSwPEOH0F6aZDkFhuQQ")
        for wrong in ["", "SHA256:", "MD5:" + fingerprint.dropFirst(7), String(fingerprint.dropLast()), fingerprint + "A", "SHA256:" + String(repeating: "!", count: 43)] {
            #expect(SSHFingerprint.normalized(wrong) == nil, "\(wrong)")
        }
    }

    @Test func theKeyTypesAreThoseOfTheContract() throws {
        #expect(SSHKeyType.allCases.map(\.rawValue) == ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"])
        let key = SSHKey(fingerprint: "SHA256:x", type: "ssh-ed25519", comment: nil, addedAt: Date(timeIntervalSince1970: 0), lastUsedAt: nil)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(key)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == ["fingerprint", "type", "addedAt"])
    }
}
