import Dispatch
import Foundation
import StorefrontCore
import StorefrontHTTP
import StorefrontTerminal

/// Replies from requests running on other threads, waiting for the UI loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Msg] = []
    /// Called after each post: ends the loop's wait for a key, so the answer shows at once.
    private let posted: () -> Void

    init(posted: @escaping () -> Void = {}) {
        self.posted = posted
    }

    func post(_ msg: Msg) {
        lock.lock()
        messages.append(msg)
        lock.unlock()
        posted()
    }

    func drain() -> [Msg] {
        lock.lock()
        defer { lock.unlock() }
        let drained = messages
        messages = []
        return drained
    }
}

/// The loop of the Elm architecture: read a key (or time out), fold every
/// message through `update`, run the commands, paint the view. HTTP runs on
/// a background queue, so the screen never waits for the network.
struct Runtime {
    let options: AppOptions
    let terminal: Terminal
    let glyphs: Glyphs
    let client: MarketplaceClient
    let themes: ThemeLibrary
    /// Where requests' replies (and their retry count-downs) wait for the loop.
    let inbox: Inbox
    let requests = DispatchQueue(label: "storefront.requests", attributes: .concurrent)
    let started = ContinuousClock.now
    /// STOREFRONT_TRACE=<file>: timings for the benchmark (first frame, key to frame).
    let trace: Trace?
    /// Where the session is remembered; nil with --no-remember and in a kiosk.
    let sessions: SessionStore?
    /// HTTP calls per request, for the trace.
    let calls = CallCounts()

    func run() {
        StopSignals.install()
        var (model, commands) = Model.start(options: options, size: terminal.size, glyphs: glyphs, remembered: sessions?.load())
        perform(commands)
        terminal.paint(view(model))
        trace?.record("first_frame_ms", since: processStart)
        let keys = trace.map { _ in KeyRequests() }
        var painted = (at: ContinuousClock.now, spinner: model.spinnerFrame)
        while !model.quitting && !StopSignals.received {
            // 50 ms keeps the spinner moving and replies prompt without busy-waiting.
            var messages: [Msg] = []
            let input = terminal.nextMsg(timeout: 50)
            let keyRead = ContinuousClock.now
            if let input { messages.append(input) }
            messages += inbox.drain()
            let eventful = !messages.isEmpty
            messages.append(.tick(now()))
            for message in messages {
                let owner = keys?.owner(of: message, at: keyRead, calls: { calls.take($0) })
                (model, commands) = update(model, message)
                if let keys, let owner { keys.sent(commands, by: owner) }
                perform(commands)
                if model.quitting { break }
            }
            // A tick alone changes the screen only through the spinner, or slowly (a kiosk's
            // idle reset): painting it twenty times a second would cost many sessions on one
            // host their CPU for nothing.
            let quiet = !eventful && model.spinnerFrame == painted.spinner && ContinuousClock.now - painted.at < .seconds(1)
            if !model.quitting && !quiet {
                terminal.paint(view(model))
                painted = (ContinuousClock.now, model.spinnerFrame)
            }
            if case .key? = input { trace?.record("key_to_frame_ms", since: keyRead) }
            // A key's page is on screen once the last answer it waited for (and those
            // the answers asked for in turn) is painted: how long, and how many requests.
            for page in keys?.settled() ?? [] {
                trace?.page(page)
            }
        }
    }

    private func now() -> Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func perform(_ commands: [Command]) {
        for command in commands {
            switch command {
            case .send(let id, let request, let token):
                let inbox = inbox, calls = calls
                // Counted only for the trace: each request's HTTP calls.
                let client = trace == nil ? client : client.counting(into: calls.counter(for: id))
                requests.async {
                    inbox.post(.reply(id, request.perform(on: client, token: token)))
                }
            case .applyTheme(let name):
                // Theme files are small and local: loading them on the UI thread is fine.
                // The name comes from the server: by name only, never a path.
                do {
                    let theme = try themes.loadNamed(name)
                    terminal.apply(theme)
                    inbox.post(.themeApplied(name: name, .success(terminal.isUTF8 ? theme.glyphs : .ascii)))
                } catch {
                    inbox.post(.themeApplied(name: name, .failure(error)))
                }
            case .rememberSession(let session):
                sessions?.save(session)
            case .forgetSession:
                sessions?.forget()
            case .redraw:
                terminal.redraw()
            case .suspend:
                let size = terminal.suspend()
                inbox.post(.resize(size))
            case .quit:
                break  // the model's `quitting` ends the loop
            }
        }
    }
}

/// SIGTERM and SIGHUP (a closed SSH connection) end the loop normally, so the
/// terminal is restored; the handler only sets a flag the loop reads.
enum StopSignals {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    static var received: Bool { flag != 0 }

    static func install() {
        for signalNumber in [SIGTERM, SIGHUP] {
            signal(signalNumber) { _ in StopSignals.flag = 1 }
        }
    }
}

/// When the process started, for the first-frame figure.
nonisolated(unsafe) let processStart = ContinuousClock.now

/// Appends "name milliseconds" lines to a file; only the benchmark turns it on.
final class Trace {
    private let handle: FileHandle

    /// `%p` in the path stands for the process id, so kiosk sessions sharing one
    /// setting write files of their own.
    init?(path: String?) {
        guard let path = path?.replacingOccurrences(of: "%p", with: String(getpid())), !path.isEmpty else { return nil }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }

    func record(_ name: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        handle.write(Data("\(name) \(String(format: "%.3f", ms))\n".utf8))
    }

    /// `key_to_page <ms> <requests> <key>`: a key's page on screen, and the requests it took.
    func page(_ page: KeyRequests.Page) {
        let elapsed = ContinuousClock.now - page.pressed
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        handle.write(Data("key_to_page \(String(format: "%.3f", ms)) \(page.requests) \(page.key)\n".utf8))
    }
}

/// Follows each key's requests, and the requests their answers set off in turn,
/// until every one has been answered.
final class KeyRequests {
    struct Page {
        var key: String
        var pressed: ContinuousClock.Instant
        var requests: Int
    }
    private var next = 0
    private var open: [Int: (key: String, pressed: ContinuousClock.Instant, pending: Set<RequestID>, requests: Int)] = [:]
    private var owners: [RequestID: Int] = [:]

    /// The key a message works for: a new one for a key, the asking key's for an answer.
    func owner(of message: Msg, at pressed: ContinuousClock.Instant, calls: (RequestID) -> Int) -> Int? {
        switch message {
        case .key(let key):
            next += 1
            open[next] = (String(describing: key).replacingOccurrences(of: " ", with: "_"), pressed, [], 0)
            return next
        case .click, .scroll:
            next += 1
            open[next] = ("mouse", pressed, [], 0)
            return next
        case .reply(let id, _):
            guard let key = owners.removeValue(forKey: id) else { return nil }
            open[key]?.pending.remove(id)
            open[key]?.requests += calls(id)
            return key
        default:
            return nil
        }
    }

    func sent(_ commands: [Command], by key: Int) {
        for case .send(let id, _, _) in commands {
            owners[id] = key
            open[key]?.pending.insert(id)
        }
    }

    /// Keys that asked for something and whose answers are all in, oldest first;
    /// keys that asked for nothing are dropped.
    func settled() -> [Page] {
        var done: [(Int, Page)] = []
        for (key, state) in open where state.pending.isEmpty {
            open[key] = nil
            if state.requests > 0 { done.append((key, Page(key: state.key, pressed: state.pressed, requests: state.requests))) }
        }
        return done.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// How many HTTP calls each request made (a stock request for many products is one).
final class CallCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [RequestID: CallCounter] = [:]

    func counter(for id: RequestID) -> CallCounter {
        let counter = CallCounter()
        lock.lock(); counts[id] = counter; lock.unlock()
        return counter
    }

    func take(_ id: RequestID) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts.removeValue(forKey: id)?.value ?? 0
    }
}
