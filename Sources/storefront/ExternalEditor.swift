import Foundation
import StorefrontCore

/// Runs the user's editor on a text: `$VISUAL`, else `$EDITOR`, else `vi`, on a
/// temporary file (0600, removed after). The editor setting may carry arguments
/// (`code --wait`), so it runs through `/bin/sh -c '<editor> "$1"'` with the
/// file's path passed as `$1`, never written into the command.
enum ExternalEditor {
    static func command(environment: [String: String]) -> String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
        }
        return "vi"
    }

    /// Runs while the terminal belongs to the editor; blocks until it exits.
    static func edit(_ text: String, environment: [String: String]) -> EditorOutcome {
        let folder = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array(((folder.hasSuffix("/") ? folder : folder + "/") + "storefront-description-XXXXXX.txt").utf8CString)
        // mkstemps creates the file 0600, only for this user.
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else { return .couldNotStart }
        let path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        defer { unlink(path) }
        let contents = text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
        let written = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do { try written.write(contentsOf: Data(contents.utf8)); try written.close() } catch { return .couldNotStart }

        guard let status = run(["/bin/sh", "-c", command(environment: environment) + " \"$1\"", "sh", path]) else { return .couldNotStart }
        guard status == 0 else { return .failed(status: status) }
        guard let data = FileManager.default.contents(atPath: path), let edited = String(data: data, encoding: .utf8) else { return .unreadable }
        return .edited(edited)
    }

    /// Starts `arguments` on this terminal and waits for it: its exit status, 128 + the
    /// signal that ended it, or nil when it could not start. Ctrl-C and Ctrl-\ reach the
    /// editor only: this process ignores them meanwhile, as `system(3)` does.
    private static func run(_ arguments: [String]) -> Int32? {
        let interrupt = signal(SIGINT, SIG_IGN), quit = signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, interrupt)
            signal(SIGQUIT, quit)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, arguments[0], nil, &attributes, cArguments, environ) == 0 else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        let signalNumber = status & 0x7f
        return signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
    }
}
