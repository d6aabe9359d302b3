import Foundation
import Testing
@testable import LLMRank

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real processes on one cache file: the test binary re-runs itself with `--filter childWriter`
/// and an environment variable that turns `childWriter` from a skipped test into a writer.
/// Linux only (the test binary is an executable there; on macOS it is a bundle run by xctest).
@Suite struct MultiProcessCacheTests {
    static let modeVariable = "LLMRANK_CACHE_CHILD_MODE"
    static let fileVariable = "LLMRANK_CACHE_CHILD_FILE"
    static let methodVersion = "pointwise/multiprocess/1"
    static let testBinary = "/proc/self/exe"
    static var childrenAvailable: Bool { FileManager.default.isExecutableFile(atPath: testBinary) }
    static var isChild: Bool { ProcessInfo.processInfo.environment[modeVariable] != nil }

    // MARK: The child

    /// Skipped in a normal run. In a child: `loop` stores replies for requests 0, 1, 2, ... one
    /// after the other until killed; `burst:N` stores 200 shared and 200 own requests, 8 at a time.
    @Test(.enabled(if: isChild, "runs only as a child process of the multi-process tests"))
    func childWriter() async throws {
        let env = ProcessInfo.processInfo.environment
        let mode = try #require(env[Self.modeVariable])
        let file = URL(fileURLWithPath: try #require(env[Self.fileVariable]))
        let store = try await SQLiteJudgmentStore.open(path: file)
        let chat = CachedChat(upstream: CountingUpstream(), store: store, methodVersion: Self.methodVersion)
        if mode == "loop" {
            let deadline = ContinuousClock.now + .seconds(120)
            var i = 0
            while ContinuousClock.now < deadline {
                _ = try await chat.complete(CacheFixtures.request(i))
                i += 1
            }
        } else if mode.hasPrefix("burst:"), let id = Int(mode.dropFirst(6)) {
            try await Self.burst(chat, own: id)
        } else {
            Issue.record("unknown child mode \(mode)")
        }
    }

    static func burst(_ chat: CachedChat, own id: Int) async throws {
        let requests = (0..<200).flatMap { [CacheFixtures.request($0), CacheFixtures.request(10_000 * id + $0)] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, request) in requests.enumerated() {
                if n >= 8 { try await group.next() }
                group.addTask { _ = try await chat.complete(request) }
            }
            try await group.waitForAll()
        }
    }

    // MARK: The parent

    struct Child {
        let process: Process
        let output: URL

        var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    }

    static func spawn(mode: String, file: URL) throws -> Child {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: testBinary).resolvingSymlinksInPath()
        process.arguments = ["--testing-library", "swift-testing", "--filter", "childWriter"]
        var env = ProcessInfo.processInfo.environment
        env[modeVariable] = mode
        env[fileVariable] = file.path
        process.environment = env
        let output = file.deletingLastPathComponent().appendingPathComponent("child-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Child(process: process, output: output)
    }

    static func waitForExit(_ child: Child, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while child.process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(child.process.processIdentifier, SIGKILL)
                Issue.record("child did not finish in \(timeout): \(child.log.suffix(2000))")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test(.enabled(if: childrenAvailable && !isChild), .timeLimit(.minutes(3)))
    func aKilledWriterLeavesAConsistentFileAndTheRerunPaysOnlyForTheRest() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let child = try Self.spawn(mode: "loop", file: file)

        // Wait until the child has stored a good number of replies, reading the file meanwhile.
        let deadline = ContinuousClock.now + .seconds(90)
        var seen = 0
        while seen < 60 {
            guard child.process.isRunning, ContinuousClock.now < deadline else {
                Issue.record("the writer stopped or stalled before storing 60 replies: \(child.log.suffix(2000))")
                child.process.terminate()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
            if FileManager.default.fileExists(atPath: file.path) {
                if let reader = try? await SQLiteJudgmentStore.open(path: file) {
                    seen = (try? await reader.keys().count) ?? 0
                    await reader.close()
                }
            }
        }
        kill(child.process.processIdentifier, SIGKILL)
        child.process.waitUntilExit()
        #expect(child.process.terminationReason == .uncaughtSignal)
        #expect(child.process.terminationStatus == SIGKILL)

        // The file opens, is intact, and holds at least every reply seen before the kill.
        let store = try await SQLiteJudgmentStore.open(path: file)
        try await store.verify()
        let stored = try await store.keys().count
        #expect(stored >= seen)

        // Stores were sequential and each one a transaction: the file holds exactly requests
        // 0..<stored, so a rerun over 0..<stored+25 pays for 25 calls.
        let upstream = CountingUpstream()
        let chat = CachedChat(upstream: upstream, store: store, methodVersion: Self.methodVersion)
        for i in 0..<(stored + 25) { _ = try await chat.complete(CacheFixtures.request(i)) }
        #expect(await upstream.callCount == 25)
        #expect(Set(await upstream.state.calls.map(\.messages))
            == Set((stored..<(stored + 25)).map { CacheFixtures.request($0).messages }))
    }

    @Test(.enabled(if: childrenAvailable && !isChild), .timeLimit(.minutes(3)))
    func severalProcessesWriteOneFileAtOnce() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        // Three children start together on a file that does not exist yet, and this process
        // writes too: creation, WAL setup and writes all race.
        let children = try (1...3).map { try Self.spawn(mode: "burst:\($0)", file: file) }
        let parent = try await SQLiteJudgmentStore.open(path: file)
        try await Self.burst(CachedChat(upstream: CountingUpstream(), store: parent, methodVersion: Self.methodVersion), own: 4)
        for child in children {
            try await Self.waitForExit(child, timeout: .seconds(120))
            #expect(child.process.terminationReason == .exit)
            #expect(child.process.terminationStatus == 0, "child failed: \(child.log.suffix(3000))")
        }
        try await parent.verify()
        // 200 shared requests and 200 own ones for each of the four writers.
        #expect(try await parent.keys().count == 200 + 4 * 200)
        let stats = try await parent.stats()
        #expect(stats.byMethodVersion == [Self.methodVersion: 1000])
    }
}
