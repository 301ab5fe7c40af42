import Dispatch
import Foundation
import StorefrontCore
import StorefrontHTTP
import StorefrontTerminal

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
            case .editText(let text):
                // A kiosk starts no program, whatever asks.
                guard !options.kiosk else { inbox.post(.editorClosed(.couldNotStart)); break }
                let environment = ProcessInfo.processInfo.environment
                let (outcome, size) = terminal.handOver { ExternalEditor.edit(text, environment: environment) }
                inbox.post(.resize(size))
                inbox.post(.editorClosed(outcome))
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
