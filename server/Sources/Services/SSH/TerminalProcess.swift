import CTerminal
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One program on a pseudo-terminal of its own: the session leader of a new
/// session whose controlling terminal is the pty's far end, so a hang-up reaches
/// it and everything it starts. The server keeps the near end (`master`).
final class TerminalProcess: @unchecked Sendable {
    let pid: pid_t
    /// The near end of the pty, read and written by the session; owned by the caller once started.
    let master: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `executable` with exactly `environment` and a `columns`x`rows` terminal.
    init(executable: String, arguments: [String], environment: [String: String], columns: Int, rows: Int) throws {
        var master: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        let opened = cterminal_open(&master, &name, name.count, UInt16(clamping: columns), UInt16(clamping: rows))
        guard opened == 0 else { throw Failure(description: "pseudo-terminal: \(String(cString: strerror(opened)))") }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = cterminal_spawn(&pid, executable, name, argv, envp)
        guard result == 0 else {
            close(master)
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        self.master = master
    }

    /// The terminal's size as the client's window has it.
    static func resize(_ master: Int32, columns: Int, rows: Int) {
        _ = cterminal_resize(master, UInt16(clamping: columns), UInt16(clamping: rows))
    }

    private let reapedLock = NSLock()
    private var reaped = false

    /// Signals the whole session the program leads (it and what it started);
    /// nothing once it is reaped, so a reused process id is never signalled.
    func signal(_ number: Int32) {
        reapedLock.lock()
        defer { reapedLock.unlock() }
        guard !reaped else { return }
        _ = kill(-pid, number)
        _ = kill(pid, number)
    }

    /// Blocks until the program ends and reaps it: its exit status, or 128 + the signal.
    /// Run on a thread of its own.
    func waitForExit() -> Int {
        var status: Int32 = 0
        while true {
            // WNOWAIT first: the process stays a zombie (its id taken) until marked reaped.
            var info = siginfo_t()
            let waited = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
            if waited == -1 && errno == EINTR { continue }
            reapedLock.lock()
            reaped = true
            let result = waitpid(pid, &status, 0)
            reapedLock.unlock()
            if result == pid { break }
            if result == -1 && errno == EINTR { continue }
            return 255
        }
        let signalNumber = status & 0x7f
        return signalNumber == 0 ? Int((status >> 8) & 0xff) : 128 + Int(signalNumber)
    }
}
