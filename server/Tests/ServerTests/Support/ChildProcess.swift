import Foundation

/// A command run to completion off Swift's cooperative threads: its pipes are read
/// and its exit awaited on a thread of its own, so a test waiting on it leaves the
/// (two, on a two-core machine) cooperative threads to the suites running beside it.
/// Blocking them here once starved an in-process server's requests past their deadline.
enum ChildProcess {
    struct Result: Sendable {
        let status: Int32
        let output: String
        let errors: String
    }

    /// `mergeErrors`: standard error goes into `output`, as a terminal would show it.
    static func run(_ executable: URL, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil,
                    mergeErrors: Bool = false) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = mergeErrors ? out : err
        try process.run()
        let box = UncheckedBox((process, input, out, err))
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let (process, input, out, err) = box.value
                input.fileHandleForWriting.write(Data(stdin.utf8))
                try? input.fileHandleForWriting.close()
                // Standard error is drained beside standard output so neither pipe fills and stalls the child.
                let errors = UncheckedBox(Data())
                let drained = DispatchSemaphore(value: 0)
                if !mergeErrors {
                    Thread.detachNewThread {
                        errors.value = err.fileHandleForReading.readDataToEndOfFile()
                        drained.signal()
                    }
                } else {
                    drained.signal()
                }
                let data = out.fileHandleForReading.readDataToEndOfFile()
                drained.wait()
                process.waitUntilExit()
                continuation.resume(returning: Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                                                      errors: String(decoding: errors.value, as: UTF8.self)))
            }
        }
    }
}

/// Hands values that are not Sendable (Process, Pipe) to the one thread that uses them next.
final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
