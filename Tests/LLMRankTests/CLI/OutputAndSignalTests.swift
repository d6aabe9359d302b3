import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The CLI's output and signals: a failed write is an error line and exit 1 (never a trap), SIGQUIT
/// ends a run like SIGTERM, and inputs that would waste calls are refused first.
@Suite struct OutputAndSignalTests {
    /// Runs the binary with stdout on `stdout`; returns the status and what went to stderr.
    func run(_ arguments: [String], stdout: FileHandle) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try CLIRunner().executable
        process.arguments = arguments
        let err = Pipe()
        process.standardOutput = stdout
        process.standardError = err
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func aFullDiskIsAnErrorLineAndExitOne() throws {
        let full = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        let outcome = try run(["profiles", "list"], stdout: full)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "llmrank: cannot write the output: No space left on device\n")
    }

    @Test func aClosedPipeIsAnErrorLineAndExitOne() throws {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let outcome = try run(["profiles", "show", "local"], stdout: pipe.fileHandleForWriting)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "llmrank: cannot write the output: Broken pipe\n")
    }

    /// SIGQUIT in the middle of a call ends the run as SIGTERM would, at once.
    @Test func sigquitEndsTheRunLikeSigterm() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("Score: 3", delay: .seconds(30)) }
        let dir = try RerankCommandTests.tempDir()
        let docs = try RerankCommandTests.write(RerankCommandTests.docs, "docs.jsonl", in: dir)
        let process = Process()
        process.executableURL = try CLIRunner().executable
        process.arguments = ["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q", "--docs", docs, "--no-cache"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.yield() }
        try process.run()
        // Wait (at most 20 s) until a request has arrived, then signal.
        let deadline = ContinuousClock.now + .seconds(20)
        while server.requestCount == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.requestCount > 0)
        kill(process.processIdentifier, SIGQUIT)
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask { for await _ in exited.stream { return true }; return false }
            group.addTask { try? await Task.sleep(for: .seconds(10)); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        if !ended { process.terminate() }
        #expect(ended, "llmrank kept running after SIGQUIT")
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
    }

    @Test(arguments: [
        (["rerank", "--query", "  ", "--docs", "-"], "llmrank: the query is empty"),
        (["rerank", "--query", "q", "--docs", "-", "--top-n=-1"], "--top-n must be at least 1"),
        (["eval", "--run", "r.json", "--qrels", "q.txt", "--max-queries", "0"], "--max-queries must be at least 1"),
        (["eval", "--run", "r.json", "--qrels", "q.txt", "--query-concurrency", "0"], "--query-concurrency must be at least 1"),
        (["rerank", "--query", "q", "--docs", "-", "--base-url", "file:///etc/passwd"], "endpoint.base_url: 'file:///etc/passwd' is not an http(s) URL"),
        (["rerank", "--query", "q", "--docs", "-", "--timeout", "inf"], "--timeout must be a positive number of seconds"),
    ])
    func wastefulInputsAreRefusedFirst(arguments: [String], message: String) throws {
        let outcome = try CLIRunner().run(arguments, stdin: #"{"id": "a", "text": "x"}"# + "\n")
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }
}
