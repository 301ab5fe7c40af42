import Foundation
import Logging
@testable import ServiceKit
import Testing

/// The server's log lines: one JSON object each, whatever the text in them.
@Suite("JSON log lines") struct JSONLogHandlerTests {
    static func object(_ line: [UInt8]) throws -> [String: Any] {
        #expect(line.last == 0x0A && line.dropLast().contains(0x0A) == false, "one line: \(String(decoding: line, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    }

    @Test func everyTextIsEscapedAndTheLineParsesBack() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{7} del \u{7F} crème brûlée 🛒 /path"
        let line = JSONLogHandler.line(level: .warning, label: "marketplace", message: awkward,
                                       metadata: ["path": .string("/api/products?q=\"x\"")],
                                       extra: ["count": .stringConvertible(3), "nested": .dictionary(["list": .array([.string("a\nb"), .stringConvertible(2)])])],
                                       requestID: nil, at: timespec(tv_sec: 1_795_736_401, tv_nsec: 7_000_000))
        let object = try Self.object(line)
        #expect(object["message"] as? String == awkward)
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "marketplace")
        #expect(object["path"] as? String == "/api/products?q=\"x\"")
        #expect(object["count"] as? String == "3")
        #expect(((object["nested"] as? [String: Any])?["list"] as? [String]) == ["a\nb", "2"])
        // UTC with milliseconds, as ISO8601DateFormatter's internet date-time with fractional seconds wrote it.
        #expect(object["ts"] as? String == "2026-11-26T23:40:01.007Z")
        // Keys sorted, slashes not escaped.
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix(#"{"count":"3","level":"warning","logger":"marketplace","message":"#), "\(text)")
        #expect(text.contains(#""path":"/api/products?q=\"x\"""#))
    }

    @Test func theRequestBeingServedNamesItsLinesUnlessTheEventNamesAnother() throws {
        let time = JSONLogHandler.now()
        let served = try Self.object(JSONLogHandler.line(level: .info, label: "l", message: "m", metadata: [:], extra: nil, requestID: "req-1", at: time))
        #expect(served["request_id"] as? String == "req-1")
        let named = try Self.object(JSONLogHandler.line(level: .info, label: "l", message: "m", metadata: [:], extra: ["request_id": .string("peer-9")], requestID: "req-1", at: time))
        #expect(named["request_id"] as? String == "peer-9")
        let none = try Self.object(JSONLogHandler.line(level: .info, label: "l", message: "m", metadata: [:], extra: nil, requestID: nil, at: time))
        #expect(none["request_id"] == nil)
        // The event's metadata cannot overwrite the line's own fields.
        let clash = try Self.object(JSONLogHandler.line(level: .error, label: "l", message: "real", metadata: ["message": .string("fake")], extra: ["level": .string("debug")], requestID: nil, at: time))
        #expect(clash["message"] as? String == "real" && clash["level"] as? String == "error")
    }

    @Test func durationsAreMillisecondsWithTwoDecimals() {
        #expect(AccessLogMiddleware.milliseconds(.zero) == "0.00")
        #expect(AccessLogMiddleware.milliseconds(.microseconds(1_234)) == "1.23")
        #expect(AccessLogMiddleware.milliseconds(.microseconds(1_235)) == "1.24")
        #expect(AccessLogMiddleware.milliseconds(.microseconds(50)) == "0.05")
        #expect(AccessLogMiddleware.milliseconds(.seconds(12) + .microseconds(3_400)) == "12003.40")
    }
}
