import Dispatch
import Foundation
import StorefrontCore
import StorefrontHTTP
import StorefrontTerminal

/// Replies from requests running on other threads, waiting for the UI loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Msg] = []

    func post(_ msg: Msg) {
        lock.lock()
        messages.append(msg)
        lock.unlock()
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

    func run() {
        StopSignals.install()
        var (model, commands) = Model.start(options: options, size: terminal.size, glyphs: glyphs, remembered: sessions?.load())
        perform(commands)
        terminal.paint(view(model))
        trace?.record("first_frame_ms", since: processStart)
        while !model.quitting && !StopSignals.received {
            // 50 ms keeps the spinner moving and replies prompt without busy-waiting.
            var messages: [Msg] = []
            let input = terminal.nextMsg(timeout: 50)
            let keyRead = ContinuousClock.now
            if let input { messages.append(input) }
            messages += inbox.drain()
            messages.append(.tick(now()))
            for message in messages {
                (model, commands) = update(model, message)
                perform(commands)
                if model.quitting { break }
            }
            if !model.quitting { terminal.paint(view(model)) }
            if case .key? = input { trace?.record("key_to_frame_ms", since: keyRead) }
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
                let client = client, inbox = inbox
                requests.async {
                    inbox.post(.reply(id, client.perform(request, token: token)))
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

    init?(path: String?) {
        guard let path, !path.isEmpty else { return nil }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }

    func record(_ name: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        handle.write(Data("\(name) \(String(format: "%.3f", ms))\n".utf8))
    }
}
