/// An `Idempotency-Key` header's value made from what the request is about: the
/// same parts always give the same key, so a retry after a lost answer is the
/// same request to the server, never a second charge or refund.
enum IdempotencyKey {
    /// `prefix-<hash of parts>`; the prefix names what the key is for.
    static func make(_ prefix: String, _ parts: [String]) -> String {
        let text = parts.joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(prefix)-\(String(hash, radix: 16))"
    }

    /// The header as a call carries it.
    static func header(_ key: String) -> String { "Idempotency-Key: \(key)" }
}
