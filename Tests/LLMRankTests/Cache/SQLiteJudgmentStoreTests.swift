import Foundation
import InMemoryLogging
import Logging
import Testing
@testable import LLMRank

/// What only the SQLite store does: a file that outlives the process, shared by connections,
/// checked at open, and rows that other programs may have written.
@Suite struct SQLiteJudgmentStoreTests {
    @Test func entriesSurviveClosingAndReopening() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        do {
            let store = try await SQLiteJudgmentStore.open(path: file)
            for i in 0..<20 { try await store.put(key: "k\(i)", reply: CacheFixtures.reply(i)) }
            await store.close()
        }
        let reopened = try await SQLiteJudgmentStore.open(path: file)
        try await reopened.verify()
        #expect(try await reopened.keys().count == 20)
        #expect(try await reopened.get(key: "k7")?.response == CacheFixtures.reply(7).response)
    }

    @Test func twoPoolsOnOneFileWriteConcurrently() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let a = try await SQLiteJudgmentStore.open(path: file)
        let b = try await SQLiteJudgmentStore.open(path: file)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                let store = i.isMultiple(of: 2) ? a : b
                // Half the keys are written by both pools.
                group.addTask { try await store.put(key: "shared\(i % 100)", reply: CacheFixtures.reply(i)) }
                group.addTask { try await store.put(key: "own\(i)", reply: CacheFixtures.reply(i)) }
            }
            try await group.waitForAll()
        }
        #expect(try await a.keys().count == 300)
        #expect(try await b.stats().entries == 300)
        try await a.verify()
    }

    @Test func aNewerSchemaIsRefusedWithThePathAndNoAdvice() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let current = try await SQLiteJudgmentStore.open(path: file)
        // Mark the file as written by a future llmrank.
        try await current.pool.write { try $0.execute(sql: "PRAGMA user_version = 99") }
        let error = await #expect(throws: LLMRankError.self) { _ = try await SQLiteJudgmentStore.open(path: file) }
        #expect(error?.kind == .cacheIncompatible)
        #expect(error?.message == "\(file.path): the judgment cache was written by a newer llmrank (schema 99, this one reads 1)")
    }

    @Test func aPathThatIsNotADatabaseFailsWithFactsOnly() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        try Data("this is not sqlite, just text long enough to have a header".utf8).write(to: file)
        let error = await #expect(throws: LLMRankError.self) { _ = try await SQLiteJudgmentStore.open(path: file) }
        #expect(error?.kind == .cache)
        #expect(error?.message.hasPrefix("\(file.path): cannot open the judgment cache: ") == true)
        #expect(error?.message.contains("SQLite") == true)
        #expect(error?.message.contains("--") == false)
    }

    @Test func openCreatesMissingFolders() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let nested = file.deletingLastPathComponent().appendingPathComponent("a/b/judgments.sqlite")
        let store = try await SQLiteJudgmentStore.open(path: nested)
        try await store.put(key: "k", reply: CacheFixtures.reply(0))
        #expect(FileManager.default.fileExists(atPath: nested.path))
    }

    @Test func defaultLocationFollowsLLMRANKHOME() {
        #expect(LLMRankPaths.defaultCache(environment: ["LLMRANK_HOME": "/x/y"]).path == "/x/y/judgments.sqlite")
        #expect(LLMRankPaths.defaultCache(environment: ["HOME": "/home/u"]).path == "/home/u/.cache/llmrank/judgments.sqlite")
    }

    /// SQLite keeps whatever type a program writes into a column: such rows are misses (logged),
    /// never a crash, and statistics still read.
    @Test(arguments: [
        "latency_ms = 'fast'",
        "prompt_tokens = 1.5",
        "created_at = 'yesterday'",
        "response = X'FFFE00'",
        "response = 42",
        "hits = 'many'",
    ])
    func aRowOfWrongTypesIsAMissAndIsLogged(change: String) async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let logs = InMemoryLogHandler()
        let store = try await SQLiteJudgmentStore.open(path: file, logger: Logger(label: "test") { _ in logs })
        try await store.put(key: "k", reply: CacheFixtures.reply(1))
        try await store.pool.write { try $0.execute(sql: "UPDATE judgments SET \(change) WHERE key = 'k'") }
        #expect(try await store.get(key: "k") == nil)
        #expect(logs.entries.contains { $0.level == .warning && "\($0.message)".contains("unreadable entry") })
        #expect(try await store.stats().sessionMisses == 1)
        // A new reply replaces the row.
        try await store.put(key: "k", reply: CacheFixtures.reply(1))
        #expect(try await store.get(key: "k")?.response == CacheFixtures.reply(1).response)
    }

    @Test func aClosedStoreFailsWithItsPath() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let store = try await SQLiteJudgmentStore.open(path: file)
        await store.close()
        await store.close()  // twice is fine
        let error = await #expect(throws: LLMRankError.self) { _ = try await store.get(key: "k") }
        #expect(error?.kind == .cache)
        #expect(error?.message.hasPrefix(file.path) == true)
    }
}
