import Foundation

/// Runs the built `llmrank` binary, as a user would, and captures what it prints.
public struct CLIRunner: Sendable {
    /// How a run of the binary ended and what it printed.
    public struct Outcome: Sendable {
        /// The exit status.
        public var status: Int32
        /// Everything written to standard output.
        public var stdout: String
        /// Everything written to standard error.
        public var stderr: String
        /// Whether a signal ended it (a trap or a crash: `status` is then the signal's number).
        public var crashed: Bool = false
    }

    /// The binary it runs.
    public let executable: URL

    /// The `llmrank` binary in the build folder the tests run from.
    public init() throws {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("llmrank")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                executable = candidate
                return
            }
            dir.deleteLastPathComponent()
        }
        throw CLIRunnerError(message: "no llmrank binary near \(CommandLine.arguments[0]): run `swift build` first")
    }

    /// Runs with `arguments`, the given environment (nothing inherited but PATH and HOME), and `stdin`.
    public func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a full pipe cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self),
                       crashed: process.terminationReason == .uncaughtSignal)
    }
}

/// Why the binary could not be found or run.
public struct CLIRunnerError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
