#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import LLMRank

/// When llmrank dies, its llama-server must die too. The test binary runs itself again as the parent
/// (only the helper test below, enabled by an environment variable), lets it start a real server,
/// kills it, and checks that the server is gone.
@Suite(.serialized) struct ParentDeathTests {
    static let helperVariable = "LLMRANK_TEST_LOCAL_HELPER_OUT"

    /// The parent in the tests below; does nothing in a normal run.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[helperVariable] != nil))
    func helperStartsAServerAndWaits() async throws {
        let out = try #require(ProcessInfo.processInfo.environment[Self.helperVariable])
        let server = try await LocalLLMServer.start()
        try Data("\(server.processIdentifier) \(server.port)\n".utf8).write(to: URL(fileURLWithPath: out))
        try await Task.sleep(for: .seconds(120)) // killed long before
        await server.stop()
    }

    @Test func killingTheParentWithSIGKILLStopsTheServer() async throws {
        try await checkServerDiesWithParent(signal: SIGKILL)
    }

    @Test func ctrlCOnTheParentStopsTheServer() async throws {
        let status = try await checkServerDiesWithParent(signal: SIGINT)
        #expect(status == .signal(SIGINT), "the parent should still die of SIGINT (exit 130 in a shell)")
    }

    @Test func sigtermOnTheParentStopsTheServer() async throws {
        try await checkServerDiesWithParent(signal: SIGTERM)
    }

    /// Without setpriv (macOS, minimal images) the signal handler alone must do it.
    @Test func ctrlCStopsTheServerWithoutTheDeathSignalToo() async throws {
        let status = try await checkServerDiesWithParent(signal: SIGINT, extraEnvironment: ["LLMRANK_LOCAL_NO_SETPRIV": "1"])
        #expect(status == .signal(SIGINT))
    }

    enum Ending: Equatable { case exit(Int32), signal(Int32) }

    @discardableResult
    private func checkServerDiesWithParent(signal: Int32, extraEnvironment: [String: String] = [:]) async throws
        -> Ending
    {
        try LocalLLMConfiguration().validate() // fails with the setup command when not installed
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("server.txt")
        let helperLog = dir.appendingPathComponent("helper.log")
        let helper = Process()
        helper.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        helper.arguments = ["--testing-library", "swift-testing", "--filter", "helperStartsAServerAndWaits"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.helperVariable] = out.path
        environment.merge(extraEnvironment) { $1 }
        helper.environment = environment
        #expect(FileManager.default.createFile(atPath: helperLog.path, contents: nil))
        let logHandle = try FileHandle(forWritingTo: helperLog)
        helper.standardOutput = logHandle
        helper.standardError = logHandle
        helper.standardInput = FileHandle.nullDevice
        try helper.run()
        defer { if helper.isRunning { kill(helper.processIdentifier, SIGKILL) } }

        var line = ""
        let deadline = Date(timeIntervalSinceNow: 90)
        while line.isEmpty {
            guard helper.isRunning else {
                Issue.record("helper exited early: \((try? String(contentsOf: helperLog, encoding: .utf8)) ?? "")")
                return .exit(helper.terminationStatus)
            }
            guard Date() < deadline else {
                Issue.record("helper did not start a server within 90 s")
                return .exit(-1)
            }
            try await Task.sleep(for: .milliseconds(100))
            line = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if !line.hasSuffix("\n") { line = "" }
        }
        let fields = line.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let (serverPid, port) = (fields[0], Int(fields[1]))
        #expect(LoopbackHTTP.isListening(port: port))
        #expect(!processIsGone(serverPid, within: 0))

        kill(helper.processIdentifier, signal)
        let helperGone = Date(timeIntervalSinceNow: 20)
        while helper.isRunning && Date() < helperGone { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!helper.isRunning)
        #expect(processIsGone(serverPid, within: 10), "llama-server \(serverPid) outlived its parent (signal \(signal))")
        #expect(portCloses(port, within: 10), "port \(port) still open after the parent died")
        if helper.isRunning { return .exit(-1) }
        return helper.terminationReason == .uncaughtSignal ? .signal(helper.terminationStatus) : .exit(helper.terminationStatus)
    }
}
