import Foundation
import MarketplaceAPI
import StorefrontCore
import Testing
@testable import StorefrontHTTP

/// A server that asks the client to slow down (429 with `Retry-After`) is waited
/// out, with a count-down the shopper sees, and asked once more; a kiosk session
/// names its SSH client in `Forwarded`.
@Suite("Busy server")
struct BusyServerTests {
    static let busy = RecordingServer.reply("429 Too Many Requests", #"{"success":false,"code":"rate_limited","message":"Too many requests; try again in 1 s","errors":[]}"#,
                                            headers: ["Retry-After: 1"])
    static let health = RecordingServer.reply("200 OK", #"{"status":"ok"}"#)

    final class Countdown: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [Int] = []
        func add(_ value: Int) { lock.lock(); seen.append(value); lock.unlock() }
        var values: [Int] { lock.lock(); defer { lock.unlock() }; return seen }
    }

    @Test func aRefusalWithRetryAfterIsWaitedOutOnceWithACountdown() throws {
        let server = try RecordingServer(replies: [Self.busy, Self.health])
        defer { server.stop() }
        let countdown = Countdown()
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)", onRetryWait: countdown.add)
        let started = ContinuousClock.now
        let reply = client.perform(.call(Endpoints.health), token: nil)
        #expect(reply.error == nil, "\(reply)")
        #expect(countdown.values == [1, 0])
        #expect(server.requests.count == 2)
        #expect(ContinuousClock.now - started >= .seconds(1), "it waited as asked")
    }

    @Test func aSecondRefusalIsShownAsItIs() throws {
        let server = try RecordingServer(replies: [Self.busy, Self.busy, Self.health])
        defer { server.stop() }
        let countdown = Countdown()
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)", onRetryWait: countdown.add)
        let reply = client.perform(.call(Endpoints.health), token: nil)
        #expect(reply.error?.code == .rateLimited)
        #expect(server.requests.count == 2, "asked once more, not for ever")
        #expect(countdown.values == [1, 0])
    }

    @Test func aKioskSessionNamesItsSSHClient() throws {
        #expect(MarketplaceClient.forwarded(environment: ["SSH_CONNECTION": "203.0.113.7 52011 10.0.0.2 22"]) == #"for="203.0.113.7:52011""#)
        #expect(MarketplaceClient.forwarded(environment: ["SSH_CLIENT": "2001:db8::7 4711 22"]) == #"for="[2001:db8::7]:4711""#)
        #expect(MarketplaceClient.forwarded(environment: [:]) == nil)
        #expect(MarketplaceClient.forwarded(environment: ["SSH_CONNECTION": "x\"y 1 2 3"]) == nil)
        let server = try RecordingServer(replies: [Self.health])
        defer { server.stop() }
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)", forwarded: #"for="203.0.113.7:52011""#)
        _ = client.perform(.call(Endpoints.health), token: nil)
        #expect(server.requests.first?.headers.contains(#"Forwarded: for="203.0.113.7:52011""#) == true)
    }

    @Test func theCountdownShowsInTheStatusLineAndClearsWhenTheRequestGoes() {
        let (waiting, _) = update(Model(options: AppOptions(), size: Size(width: 80, height: 24)), .retryWait(3))
        #expect(waiting.notice?.text == "The shop is busy: trying again in 3 s…")
        let (going, _) = update(waiting, .retryWait(0))
        #expect(going.notice == nil)
    }
}

@Suite("SSH session client address")
struct SSHClientAddressTests {
    @Test func anSSHSessionNamesItsShopperInForwardedAndXForwardedFor() throws {
        #expect(MarketplaceClient.forwarded(clientAddress: "203.0.113.7:52011") == #"for="203.0.113.7:52011""#)
        #expect(MarketplaceClient.forwarded(clientAddress: "203.0.113.7") == #"for="203.0.113.7""#)
        #expect(MarketplaceClient.forwarded(clientAddress: "[2001:db8::7]:4711") == #"for="[2001:db8::7]:4711""#)
        #expect(MarketplaceClient.forwarded(clientAddress: "2001:db8::7") == #"for="[2001:db8::7]""#)
        let server = try RecordingServer(replies: [BusyServerTests.health])
        defer { server.stop() }
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)", forwarded: MarketplaceClient.forwarded(clientAddress: "203.0.113.7:52011"),
                                       forwardedFor: "203.0.113.7:52011")
        _ = client.perform(.call(Endpoints.health), token: nil)
        let headers = server.requests.first?.headers ?? []
        #expect(headers.contains("X-Forwarded-For: 203.0.113.7:52011"))
        #expect(headers.contains(#"Forwarded: for="203.0.113.7:52011""#))
    }
}
