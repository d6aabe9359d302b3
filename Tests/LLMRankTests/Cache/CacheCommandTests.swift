import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The judgment cache from the command line: the library's error line with facts, the CLI's hint on
/// the line below, and damaged entries paid for again instead of breaking a run.
@Suite struct CacheCommandTests {
    static func folder() throws -> URL {
        let file = try CacheFixtures.temporaryDatabase()
        return file.deletingLastPathComponent()
    }

    static let docs = """
        {"id": "a", "text": "alpha grade=2"}
        {"id": "b", "text": "beta grade=5"}

        """

    /// A judge that grades a passage by the digit after "grade=".
    static func judge() throws -> StubLLMServer {
        try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            guard let r = text.range(of: #"grade=\d"#, options: .regularExpression) else { return StubLLMServer.reply("no idea") }
            return StubLLMServer.reply(#"{"score": \#(text[r].last!)}"#)
        }
    }

    static func rerank(_ server: StubLLMServer, docs: String, cache: String) throws -> CLIRunner.Outcome {
        try CLIRunner().run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q", "--docs", docs,
                             "--method", "pointwise", "--format", "jsonl", "--cache", cache])
    }

    @Test func aFileThatIsNotADatabaseGetsTheFactsThenTheHint() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("notes.sqlite")
        try Data("this is not sqlite, just text long enough to have a header".utf8).write(to: file)
        let docs = dir.appendingPathComponent("docs.jsonl")
        try Self.docs.write(to: docs, atomically: true, encoding: .utf8)
        let server = try Self.judge()

        for outcome in [try CLIRunner().run(["cache", "stats", "--cache", file.path]),
                        try Self.rerank(server, docs: docs.path, cache: file.path)]
        {
            #expect(outcome.status == 1)
            let lines = outcome.stderr.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("llmrank: \(file.path): cannot open the judgment cache: ") == true, "\(outcome.stderr)")
            #expect(lines.last == "llmrank: use --cache PATH for another file, or --no-cache")
        }
        #expect(server.requestCount == 0)
    }

    @Test func aCacheFromANewerLlmrankIsRefusedWithItsHint() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("future.sqlite")
        let store = try await SQLiteJudgmentStore.open(path: file)
        try await store.pool.write { try $0.execute(sql: "PRAGMA user_version = 7") }
        await store.close()

        let outcome = try CLIRunner().run(["cache", "clear", "--cache", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == """
            llmrank: \(file.path): the judgment cache was written by a newer llmrank (schema 7, this one reads 1)
            llmrank: use --cache PATH for another file, or a newer llmrank

            """)
    }

    @Test func damagedEntriesArePaidForAgainAndReplaced() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("c.sqlite")
        let docs = dir.appendingPathComponent("docs.jsonl")
        try Self.docs.write(to: docs, atomically: true, encoding: .utf8)
        let server = try Self.judge()

        let first = try Self.rerank(server, docs: docs.path, cache: cache.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(server.requestCount == 2)
        // Another program garbles one reply.
        let store = try await SQLiteJudgmentStore.open(path: cache)
        let keys = try await store.keys()
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE judgments SET response = 'garbage' WHERE key = ?", arguments: [keys[0]])
        }
        await store.close()

        let second = try Self.rerank(server, docs: docs.path, cache: cache.path)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(server.requestCount == 3)  // the garbled one only
        #expect(second.stderr.contains("1 calls, 1 cache hits"))
        let third = try Self.rerank(server, docs: docs.path, cache: cache.path)
        #expect(third.stdout == first.stdout)
        #expect(server.requestCount == 3)
    }
}
