// storefront-bench: drives the built `storefront` in tmux against a running
// marketplace and prints (1) time from start to the first frame, beside `htop`
// started the same way in the same tmux (the reference), (2) memory (RSS) after
// loading 10 more pages of the catalogue, (3) time from a key press to the
// redrawn frame; last a `RESULT-CLIENT` line for `make bench`.
//
//   swift build -c release --product storefront && swift build -c release --product storefront-bench
//   .build/release/storefront-bench --server http://127.0.0.1:8080   (a seeded catalogue of > 200 products)
import Foundation
import StorefrontTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Set once tmux runs, so a failure also stops the client it started.
nonisolated(unsafe) var cleanUp: () -> Void = {}

func fail(_ message: String) -> Never {
    cleanUp()
    FileHandle.standardError.write(Data("storefront-bench: \(message)\n".utf8))
    exit(1)
}

var server = ProcessInfo.processInfo.environment["STOREFRONT_SERVER"] ?? "http://127.0.0.1:8080"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--server":
        guard let value = arguments.popFirst() else { fail("--server needs a URL") }
        server = value
    default: fail("usage: storefront-bench [--server URL]")
    }
}

let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("storefront").path
guard FileManager.default.isExecutableFile(atPath: binary) else { fail("no storefront beside this program at \(binary)") }
let socket = "storefront-bench-\(getpid())"
let tracePath = NSTemporaryDirectory() + "storefront-bench-\(getpid()).trace"

/// posix_spawn and waitpid: waiting through Foundation's Process for
/// `tmux new-session` (which leaves a daemon behind) was seen to hang.
@discardableResult
func tmux(_ args: [String]) -> String {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { fail("pipe() failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if args.contains("new-session") {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    } else {
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
    }
    posix_spawn_file_actions_addclose(&actions, ends[0])
    posix_spawn_file_actions_addclose(&actions, ends[1])
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = (["/usr/bin/tmux", "-L", socket] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, argv, environ) == 0 else { fail("cannot run tmux") }
    close(ends[1])
    let output = Loopback.readAll(ends[0])
    close(ends[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return String(decoding: output, as: UTF8.self)
}

func waitFor(_ text: String, timeout: Double = 20) -> Double {
    let start = Date()
    while Date().timeIntervalSince(start) < timeout {
        if tmux(["capture-pane", "-p", "-t", "bench"]).contains(text) { return Date().timeIntervalSince(start) * 1000 }
        usleep(2_000)
    }
    fail("no \"\(text)\" on screen after \(Int(timeout)) s; \(sawInstead())")
}

/// What the window showed instead, and whether its program had already ended (the
/// window stays after it, `remain-on-exit`, so its last words can be read).
func sawInstead() -> String {
    let screen = tmux(["capture-pane", "-p", "-t", "bench"]).split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
    let ended = tmux(["display-message", "-p", "-t", "bench", "#{pane_dead} #{pane_dead_status}"]).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
    let status = ended.first == "1" ? "the program had exited (status \(ended.dropFirst().first ?? "?"))" : "the program was still running"
    return screen.isEmpty ? "\(status) and the screen was empty" : "\(status); the screen showed:\n" + screen.joined(separator: "\n")
}

/// Starts `command` in a new 120×40 window of the tmux server and answers the
/// milliseconds until `text` showed on it, read the same way for both programs.
func startToFrame(_ command: String, showing text: String) -> Double {
    let launched = Date()
    tmux(["-f", "/dev/null", "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
          "new-session", "-d", "-x", "120", "-y", "40", "-s", "bench", command])
    _ = waitFor(text)
    return Date().timeIntervalSince(launched) * 1000
}

cleanUp = { cleanUp = {}; tmux(["kill-server"]) }
defer { cleanUp() }
// The reference: htop, a C ncurses program, to its first frame in the same tmux
// (the best of three, as for the client below: the first start pays cold caches).
var htopSeen: [Double] = []
if FileManager.default.isExecutableFile(atPath: "/usr/bin/htop") {
    for _ in 0..<3 {
        htopSeen.append(startToFrame("env LANG=C.UTF-8 /usr/bin/htop", showing: "Load average"))
        tmux(["kill-session", "-t", "bench"])
    }
}
var clientSeen: [Double] = []
for run in 0..<3 {
    clientSeen.append(startToFrame("env LANG=C.UTF-8 STOREFRONT_TRACE=\(tracePath) STOREFRONT_SERVER=\(server) \(binary) --theme dark --no-remember",
                                   showing: "Sign in to Storefront"))
    if run < 2 { tmux(["kill-session", "-t", "bench"]) }
}
let firstFrameSeen = clientSeen.min()!

func waitUntilGone(_ text: String, timeout: Double = 20) {
    let start = Date()
    while Date().timeIntervalSince(start) < timeout {
        if !tmux(["capture-pane", "-p", "-t", "bench"]).contains(text) { return }
        usleep(2_000)
    }
    fail("\"\(text)\" still on screen after \(Int(timeout)) s; \(sawInstead())")
}

// Browse as a guest and load ten more pages: End at the end of the list asks for the next.
tmux(["send-keys", "-t", "bench", "Tab", "Tab", "Tab", "Tab", "Enter"])
_ = waitFor("1 of ")
// Each next batch: from the key to its rows on screen (the loading line gone), as a shopper sees it.
var batches: [Double] = []
for page in 2...11 {
    let asked = Date()
    tmux(["send-keys", "-t", "bench", "End"])
    _ = waitFor("\((page - 1) * 20) of ")
    waitUntilGone("Loading more products")
    batches.append(Date().timeIntervalSince(asked) * 1000)
}
batches.sort()
let pid = tmux(["list-panes", "-t", "bench", "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) } ?? "unknown"
// RSS counts every page of the shared libraries too; what one more kiosk session
// costs the host is its private pages (and its share of the shared ones, PSS).
let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
func rollupKB(_ field: String) -> Double {
    rollup.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        .flatMap { Double($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? .nan
}
let privateMB = (rollupKB("Private_Clean") + rollupKB("Private_Dirty")) / 1024
let pssMB = rollupKB("Pss") / 1024

// Key presses that only move the selection: pure update + view + paint, at a
// held key's repeat rate (about 30 a second). Sent back to back, the hundred tmux
// clients starting on two cores were what the slowest keys waited behind.
for _ in 0..<100 {
    tmux(["send-keys", "-t", "bench", "j"])
    usleep(33_000)
}
usleep(500_000)

let lines = ((try? String(contentsOfFile: tracePath, encoding: .utf8)) ?? "").split(separator: "\n")
func values(_ name: String) -> [Double] { lines.filter { $0.hasPrefix(name + " ") }.compactMap { Double($0.split(separator: " ")[1]) }.sorted() }
let firstFrame = values("first_frame_ms").first ?? .nan   // the last of the three starts (the trace is rewritten by each)
let keys = values("key_to_frame_ms")
func percentile(_ p: Double) -> Double { keys.isEmpty ? .nan : keys[min(keys.count - 1, Int(Double(keys.count) * p))] }

print("storefront-bench against \(server), 120×40, dark theme")
print(String(format: "start to first frame:   %.1f ms in the client (%.0f ms until tmux showed it)", firstFrame, firstFrameSeen))
print(String(format: "RSS after 10 more pages: %@ (private %.1f MB, PSS %.1f MB)", rss, privateMB, pssMB))
print(String(format: "key to redrawn frame:   median %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms over %d keys",
             percentile(0.5), percentile(0.95), percentile(0.99), keys.last ?? .nan, keys.count))
let htopBest = htopSeen.min() ?? .nan
print(String(format: "htop to first frame:    %.0f ms until tmux showed it (best of %d)", htopBest, htopSeen.count))
let rssKB = Double(rss.split(separator: " ").first ?? "") ?? .nan
// first frame in the client, until tmux showed it, htop's, RSS in MB, key to frame p50 and p99, private and PSS in MB.
print(String(format: "RESULT-CLIENT %.1f %.0f %.0f %.1f %.2f %.2f %.1f %.1f", firstFrame, firstFrameSeen, htopBest, rssKB / 1024, percentile(0.5), percentile(0.99), privateMB, pssMB))
print(String(format: "next batch on screen:   median %.0f ms, max %.0f ms over %d batches", batches[batches.count / 2], batches.last ?? .nan, batches.count))
print(String(format: "RESULT-BATCH %.0f %.0f", batches[batches.count / 2], batches.last ?? .nan))
try? FileManager.default.removeItem(atPath: tracePath)
