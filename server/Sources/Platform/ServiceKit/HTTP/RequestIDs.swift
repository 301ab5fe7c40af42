import Synchronization

/// New request ids, shaped like a UUID (8-4-4-4-12 lowercase hex): a random
/// 64-bit prefix drawn once per process, then a counter. Unique within the
/// process by construction and across processes by the prefix, for the price of
/// an atomic increment; a random UUID per request (two `getrandom` calls and
/// Foundation's formatting) was 1 % of a cached catalogue read.
public enum RequestIDs {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: 0 ..< 1 << 32))
    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let hex = hexDigits
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    buffer[position] = hex[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                }
            }
            func dash() { buffer[position] = UInt8(ascii: "-"); position += 1 }
            put(prefix >> 32, digits: 8); dash()
            put(prefix >> 16, digits: 4); dash()
            put(prefix, digits: 4); dash()
            put(count >> 48, digits: 4); dash()
            put(count, digits: 12)
            return position
        }
    }
}

/// The request id of the request being served, so calls to other services carry it.
public enum RequestTrace {
    @TaskLocal public static var id: String?
}
