import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One JSON object per line on stderr, so log shippers need no parser of ours:
/// `ts` (UTC, milliseconds), `level`, `logger`, `message`, then the metadata, keys
/// sorted, every value a string (arrays and objects of strings when nested).
///
/// Lines are written byte by byte here, not with `JSONSerialization` and an
/// `ISO8601DateFormatter` per line: at the default level every request logs its
/// access line, and those two made a cached catalogue page cost five times as much
/// CPU as with logging off (docs/PERFORMANCE.md, "Logging").
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.line(level: event.level, label: label, message: event.message.description,
                             metadata: metadata, extra: event.metadata, requestID: RequestTrace.id, at: Self.now())
        line.withUnsafeMutableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return   // standard error is gone; nothing better to do with a log line
                }
            }
        }
    }

    /// The line for one event, newline included. `requestID`: the request being
    /// served (`RequestTrace.id`), logged as `request_id` unless the metadata names one.
    static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, extra: Logger.Metadata?,
                     requestID: String?, at time: timespec) -> [UInt8] {
        var fields: [String: Logger.Metadata.Value] = metadata
        if let extra { fields.merge(extra) { _, new in new } }
        if fields["request_id"] == nil, let requestID { fields["request_id"] = .string(requestID) }
        fields["ts"] = .string(timestamp(time))
        fields["level"] = .string(level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(message)
        var line: [UInt8] = []
        line.reserveCapacity(256)
        appendObject(fields, to: &line)
        line.append(0x0A)
        return line
    }

    private static func appendObject(_ fields: Logger.Metadata, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "{"))
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            appendValue(fields[key]!, to: &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let text): appendString(text, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .dictionary(let fields): appendObject(fields, to: &line)
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendValue(value, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    private static func appendString(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00 ..< 0x20, 0x7F:
                line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                         hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    /// `2026-11-26T22:40:01.123Z`: UTC, milliseconds.
    static func timestamp(_ time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(time.tv_nsec) / 1_000_000
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    /// Installs the handler for the whole process, at `level` (see `level(_:from:)`).
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
    }

    /// The level a setting names (`info` when unset or empty); any other word is
    /// refused like every bad setting, naming where it came from (`LOG_LEVEL`, `--log-level`).
    public static func level(_ text: String?, from setting: String) throws -> Logger.Level {
        guard let text, !text.isEmpty else { return .info }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("\(setting) must be one of \(names): \(text)")
        }
        return level
    }
}
