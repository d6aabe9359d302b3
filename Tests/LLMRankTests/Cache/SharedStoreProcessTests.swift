import Foundation
import Synchronization
import Testing
@testable import LLMRank
import LLMRankTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Several `llmrank eval` processes on one PostgreSQL store, as a team runs them: shards on
/// separate machines, two processes racing on the same shard, a claimant killed mid-call.
@Suite(.serialized) struct SharedStoreProcessTests {
    /// Query ids chosen so that each of 3 shards holds two queries (the split is by a hash of the
    /// id, so it is computed, not assumed).
    static func queryIDs() -> [String] {
        var perShard: [Int: [String]] = [:]
        var n = 0
        while (1...3).contains(where: { perShard[$0, default: []].count < 2 }) {
            n += 1
            let id = "q\(n)"
            let shard = QueryShard.index(of: id, count: 3)
            if perShard[shard, default: []].count < 2 { perShard[shard, default: []].append(id) }
        }
        return (1...3).flatMap { perShard[$0]! }.sorted()
    }

    /// A run of `ids`, four passages each, graded 1 to 4 in the text, best last; qrels grade the
    /// grade-4 passage 2 and the grade-3 one 1.
    static func files(ids: [String], in dir: URL) throws -> (run: String, qrels: String) {
        let run = "[" + ids.map { id in
            "{\"query\": \"query \(id)\", \"hits\": [" + (1...4).map { g in
                "{\"qid\": \"\(id)\", \"docid\": \"\(id)-d\(g)\", \"content\": \"passage \(g) of \(id) grade=\(g)\", \"score\": \(10 - g)}"
            }.joined(separator: ",") + "]}"
        }.joined(separator: ",") + "]"
        let qrels = ids.map { "\($0) 0 \($0)-d4 2\n\($0) 0 \($0)-d3 1\n" }.joined()
        return (try RerankCommandTests.write(run, "run.json", in: dir), try RerankCommandTests.write(qrels, "qrels.txt", in: dir))
    }

    /// A pointwise judge that reads the grade from the passage, after `delay`.
    static func judge(delay: @escaping @Sendable () -> Duration) throws -> StubLLMServer {
        try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            guard let r = text.range(of: #"grade=\d"#, options: .regularExpression) else { return StubLLMServer.reply("no idea") }
            return StubLLMServer.reply(#"{"score": \#(text[r].last!)}"#, delay: delay())
        }
    }

    static func evalArguments(run: String, qrels: String, stub: StubLLMServer, cache: String) -> [String] {
        ["eval", "--run", run, "--qrels", qrels, "--method", "pointwise", "--base-url", stub.baseURL, "--model", "m",
         "--cache", cache, "--metrics", "ndcg@10,mrr@10,p@1", "--max-attempts", "1"]
    }

    @Test(.needsPostgres, .timeLimit(.minutes(5)))
    func sixProcessesOnThreeShardsPayEachRequestOnceAndMergeToTheWhole() async throws {
        let dir = try RerankCommandTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ids = Self.queryIDs()
        let (run, qrels) = try Self.files(ids: ids, in: dir)
        let stub = try Self.judge { .milliseconds(150) }
        let cache = try TestPostgres.freshURL()
        let arguments = Self.evalArguments(run: run, qrels: qrels, stub: stub, cache: cache)
        let runner = try CLIRunner()
        // Two processes per shard, all six at once.
        var processes: [(shard: Int, report: String, process: CLIProcess)] = []
        for copy in 1...2 {
            for shard in 1...3 {
                let report = dir.appendingPathComponent("shard\(shard)-\(copy).json").path
                processes.append((shard, report, try CLIProcess(runner, arguments + ["--shard", "\(shard)/3", "--report", report], directory: dir)))
            }
        }
        for p in processes {
            let outcome = try await p.process.finish(within: .seconds(180))
            #expect(outcome.status == 0 && !outcome.crashed, "shard \(p.shard): \(outcome.stderr)")
        }
        // 6 queries x 4 passages, one pointwise call each: every distinct request reached the
        // endpoint exactly once across the six processes.
        let bodies = stub.requests.map(\.bodyText)
        #expect(bodies.count == 24)
        #expect(Set(bodies).count == 24)

        // The whole, in one process (every judgment now in the store: no call), equals the merge
        // of one report per shard, value for value.
        let whole = dir.appendingPathComponent("whole.json").path
        let single = try CLIRunner().run(arguments + ["--report", whole])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.stderr.contains("llmrank: 0 calls, 24 cache hits"))
        #expect(stub.requestCount == 24)
        let merged = dir.appendingPathComponent("merged.json").path
        let shards = processes.filter { $0.report.hasSuffix("-1.json") }.map(\.report)
        let merge = try CLIRunner().run(["eval", "--merge"] + shards + ["--report", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        var a = try EvalReportFile.read(path: whole), b = try EvalReportFile.read(path: merged)
        #expect(a.input.map(\.queryID) == ids)
        #expect(b.input == a.input)
        #expect(b.reranked == a.reranked)
        #expect(b.inputMean == a.inputMean && b.rerankedMean == a.rerankedMean)
        #expect(a.rerankedMean?["ndcg@10"] == 1)
        // Totals differ (the shards paid, the whole was answered from the store); nothing else does.
        #expect(b.totals?.calls == 24 || b.totals.map { $0.calls + $0.cacheHits } == 24)
        a.totals = nil
        b.totals = nil
        #expect(a == b)
        // The printed table is the single run's.
        #expect(merge.stdout.split(separator: "\n").prefix(4) == single.stdout.split(separator: "\n").prefix(4))
    }

    @Test(.needsPostgres, .timeLimit(.minutes(5)))
    func aKilledClaimantsWorkIsTakenOverAfterItsLeaseAndARerunPaysNothing() async throws {
        let dir = try RerankCommandTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ids = Array(Self.queryIDs().prefix(1))
        let (run, qrels) = try Self.files(ids: ids, in: dir)
        let slow = SwitchFlag()
        slow.set(true)
        // While `slow`, a reply takes a minute: the first process is killed holding its claim.
        let stub = try Self.judge { slow.value ? .seconds(60) : .zero }
        let cache = try TestPostgres.freshURL() + "&lease=1"
        let arguments = Self.evalArguments(run: run, qrels: qrels, stub: stub, cache: cache) + ["--concurrency", "1", "--timeout", "120"]
        let first = try CLIProcess(try CLIRunner(), arguments, directory: dir)
        #expect(try await eventually(within: .seconds(60)) { stub.requestCount >= 1 || !first.isRunning }, "\(first.stderr)")
        #expect(first.isRunning)
        first.kill(SIGKILL)
        let killed = try await first.finish(within: .seconds(30))
        #expect(killed.crashed && killed.status == SIGKILL)
        let paidByTheKilled = stub.requestCount
        slow.set(false)

        // Another process takes the dead claim over once its 1 s lease runs out, and judges all
        // four passages (the killed one stored nothing).
        let second = try CLIRunner().run(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("llmrank: 4 calls, 0 cache hits"), "\(second.stderr)")
        #expect(stub.requestCount == paidByTheKilled + 4)
        let third = try CLIRunner().run(arguments)
        #expect(third.status == 0)
        #expect(third.stderr.contains("llmrank: 0 calls, 4 cache hits"), "\(third.stderr)")
        #expect(stub.requestCount == paidByTheKilled + 4)
    }
}

extension SharedStoreProcessTests {
    /// `scripts/test-postgres` with its own folder: a private cluster this test may restart.
    struct PrivateCluster {
        let directory: String
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/test-postgres").path

        /// Runs `scripts/test-postgres COMMAND` and returns what it printed, within 120 s.
        ///
        /// Spawned with `posix_spawn` and reaped here by polling `waitpid`, with an empty signal
        /// mask and default dispositions: through Foundation's `Process` the script's exit was
        /// never noticed (it stayed a zombie) once `runuser` and `pg_ctl` had run under it.
        @discardableResult
        func run(_ command: String) async throws -> String {
            let log = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("test-postgres-\(UUID().uuidString).log")
            defer { try? FileManager.default.removeItem(at: log) }
            var env = ProcessInfo.processInfo.environment
            env["LLMRANK_TEST_POSTGRES_DIR"] = directory
            let pid = try Self.spawn(["/bin/bash", Self.script, command], environment: env, output: log.path)
            let deadline = ContinuousClock.now + .seconds(120)
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                guard ContinuousClock.now < deadline else {
                    kill(pid, SIGKILL)
                    _ = waitpid(pid, &status, 0)
                    throw LLMRankError(.setup, "scripts/test-postgres \(command): no exit in 120 s")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            // Exited normally (low 7 bits 0) with status 0.
            guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
                throw LLMRankError(.setup, "scripts/test-postgres \(command): wait status \(status): \(output)")
            }
            return output
        }

        static func spawn(_ argv: [String], environment: [String: String], output: String) throws -> pid_t {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t(), all = sigset_t()
            sigemptyset(&empty)
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            let cArgs = argv.map { strdup($0) } + [nil]
            let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for p in cArgs + cEnv { free(p) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
            guard rc == 0 else { throw LLMRankError(.setup, "cannot run \(argv[0]): errno \(rc)") }
            return pid
        }
    }

    /// The server restarted while an evaluation runs on it: the run reconnects and completes,
    /// no request is paid twice and no judgment is lost (a rerun pays nothing).
    @Test(.needsPostgres, .timeLimit(.minutes(5)))
    func aServerRestartMidRunLosesNothingAndPaysNothingTwice() async throws {
        let dir = try RerankCommandTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = PrivateCluster(directory: "/tmp/llmrank-pg-restart-\(UUID().uuidString.prefix(8))")
        _ = try await cluster.run("start")
        let url = try String(contentsOfFile: cluster.directory + "/url", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let ids = Self.queryIDs()
            let (run, qrels) = try Self.files(ids: ids, in: dir)
            let stub = try Self.judge { .milliseconds(250) }
            let arguments = Self.evalArguments(run: run, qrels: qrels, stub: stub, cache: url) + ["--concurrency", "1", "--query-concurrency", "1"]
            let eval = try CLIProcess(try CLIRunner(), arguments + ["-v"], directory: dir)
            #expect(try await eventually(within: .seconds(60)) { stub.requestCount >= 5 || !eval.isRunning }, "\(eval.stderr)")
            #expect(eval.isRunning)
            try await cluster.run("restart")
            #expect(stub.requestCount < 24, "the run ended before the restart")
            let outcome = try await eval.finish(within: .seconds(180))
            #expect(outcome.status == 0 && !outcome.crashed, "\(outcome.stderr)")
            // -v printed the effective profile with the store's address, but not its password.
            let password = try #require(URLComponents(string: url)?.password)
            #expect(outcome.stderr.contains("cache: postgres://llmrank:***@"))
            #expect(!outcome.stderr.contains(password))
            let bodies = stub.requests.map(\.bodyText)
            #expect(bodies.count == 24 && Set(bodies).count == 24)
            let rerun = try CLIRunner().run(arguments)
            #expect(rerun.status == 0)
            #expect(rerun.stderr.contains("llmrank: 0 calls, 24 cache hits"), "\(rerun.stderr)")
        } catch {
            _ = try? await cluster.run("stop")
            throw error
        }
        _ = try? await cluster.run("stop")
    }
}

extension SharedStoreProcessTests {
    /// The server down past the reconnection deadline: the run stops with exit 3 (one line, no
    /// password), the reply paid for during the outage is kept on disk, and once the server is
    /// back a rerun finishes without paying for anything twice.
    @Test(.needsPostgres, .timeLimit(.minutes(5)))
    func aServerDownPastTheDeadlineStopsTheRunAndTheResumePaysNothingTwice() async throws {
        let dir = try RerankCommandTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = PrivateCluster(directory: "/tmp/llmrank-pg-halt-\(UUID().uuidString.prefix(8))")
        _ = try await cluster.run("start")
        let base = try String(contentsOfFile: cluster.directory + "/url", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let (run, qrels) = try Self.files(ids: Self.queryIDs(), in: dir)
            // The fifth call takes 2 s: the server goes down while it is in flight.
            let calls = Mutex(0)
            let stub = try Self.judge {
                calls.withLock { n in
                    n += 1
                    return n == 5 ? .seconds(2) : .milliseconds(100)
                }
            }
            let home = dir.appendingPathComponent("home").path
            let arguments = Self.evalArguments(run: run, qrels: qrels, stub: stub, cache: base + "&reconnect=2&lease=1")
                + ["--concurrency", "1", "--query-concurrency", "1"]
            let eval = try CLIProcess(try CLIRunner(), arguments, environment: ["LLMRANK_HOME": home], directory: dir)
            #expect(try await eventually(within: .seconds(60)) { stub.requestCount >= 5 || !eval.isRunning }, "\(eval.stderr)")
            try await cluster.run("halt")
            let stopped = try await eval.finish(within: .seconds(120))
            #expect(stopped.status == 3 && !stopped.crashed, "\(stopped.stderr)")
            let password = try #require(URLComponents(string: base)?.password)
            #expect(!stopped.stderr.contains(password))
            #expect(stopped.stderr.contains("127.0.0.1"), "\(stopped.stderr)")
            let paidBefore = stub.requestCount
            #expect(paidBefore < 24)

            try await cluster.run("resume")
            let resumed = try CLIRunner().run(arguments, environment: ["LLMRANK_HOME": home])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let bodies = stub.requests.map(\.bodyText)
            #expect(bodies.count == 24, "paid \(bodies.count) calls for 24 judgments")
            #expect(Set(bodies).count == 24)
            let pending = (try? FileManager.default.contentsOfDirectory(atPath: home + "/pending")) ?? []
            #expect(pending.isEmpty, "\(pending)")
        } catch {
            _ = try? await cluster.run("stop")
            throw error
        }
        _ = try? await cluster.run("stop")
    }
}

/// A thread-safe boolean a stub's handler reads.
final class SwitchFlag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set(_ v: Bool) { state.withLock { $0 = v } }
}
