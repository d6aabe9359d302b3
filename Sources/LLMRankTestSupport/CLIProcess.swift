import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A run of the `llmrank` binary that goes on while the test does other things: several at once
/// against one store, or one that the test kills. Output goes to files, so nothing blocks on a
/// full pipe.
public final class CLIProcess: Sendable {
    private let process: Process
    private let stdoutFile: URL
    private let stderrFile: URL

    /// Starts `runner`'s binary with `arguments` and `environment` (nothing inherited but PATH
    /// and HOME); output goes to files in `directory`.
    public init(_ runner: CLIRunner, _ arguments: [String], environment: [String: String] = [:], directory: URL) throws {
        let process = Process()
        process.executableURL = runner.executable
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let id = UUID().uuidString
        stdoutFile = directory.appendingPathComponent("cli-\(id).out")
        stderrFile = directory.appendingPathComponent("cli-\(id).err")
        for file in [stdoutFile, stderrFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether it still runs.
    public var isRunning: Bool { process.isRunning }

    /// What it has written to standard error so far.
    public var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGKILL by default).
    public func kill(_ signal: Int32 = SIGKILL) {
        _ = Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for the end, at most `timeout`; past it the child is killed with SIGKILL and the
    /// outcome says so (`crashed`, status 9) with a line on its standard error.
    public func finish(within timeout: Duration) async throws -> CLIRunner.Outcome {
        let deadline = ContinuousClock.now + timeout
        var killed = false
        while process.isRunning {
            if ContinuousClock.now >= deadline, !killed {
                kill()
                killed = true
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        var err = stderr
        if killed { err += "\n[CLIProcess: killed after \(timeout)]" }
        return CLIRunner.Outcome(status: process.terminationStatus,
                                 stdout: (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "",
                                 stderr: err, crashed: process.terminationReason == .uncaughtSignal)
    }
}
