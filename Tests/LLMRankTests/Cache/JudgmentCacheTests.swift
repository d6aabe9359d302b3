import Foundation
import Testing
@testable import LLMRank

@Suite struct JudgmentCacheTests {
    static func reply(_ i: Int, model: String = "judge-small", version: String = "pointwise/p/1",
                      createdAt: Date = Date()) -> CachedReply
    {
        CachedReply(response: CountingUpstream.answer(to: CacheFixtures.request(i)), model: model,
                    endpoint: "llm.example.test/v1/chat/completions", methodVersion: version, createdAt: createdAt,
                    latency: .milliseconds(250), requestBody: "{\"i\":\(i)}")
    }

    @Test func storeAndLookUpRoundTripsTheWholeReply() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let cache = try JudgmentCache.open(path: file)
        let stored = Self.reply(1, createdAt: Date(timeIntervalSince1970: 1_790_000_000.25))
        #expect(try await cache.lookup(key: "k1") == nil)
        try await cache.store(key: "k1", reply: stored)
        let found = try #require(try await cache.lookup(key: "k1"))
        #expect(found == stored)
        #expect(found.response.logprobs?.first?.topLogprobs.map(\.token) == ["Yes", "No"])
        #expect(found.usage == stored.response.usage)
        let stats = try await cache.stats()
        #expect(stats.sessionHits == 1 && stats.sessionMisses == 1)
    }

    @Test func storeReplacesAnEntry() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let cache = try JudgmentCache.open(path: file)
        try await cache.store(key: "k", reply: Self.reply(1))
        try await cache.store(key: "k", reply: Self.reply(2))
        #expect(try await cache.lookup(key: "k") == Self.reply(2, createdAt: try #require(try await cache.lookup(key: "k")).createdAt))
        #expect(try await cache.keys() == ["k"])
    }

    @Test func entriesSurviveClosingAndReopening() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        do {
            let cache = try JudgmentCache.open(path: file)
            for i in 0..<20 { try await cache.store(key: "k\(i)", reply: Self.reply(i)) }
        }
        let reopened = try JudgmentCache.open(path: file)
        try await reopened.verify()
        #expect(try await reopened.keys().count == 20)
        #expect(try await reopened.lookup(key: "k7")?.response == Self.reply(7).response)
    }

    @Test func statsCountEntriesTokensHitsAndDates() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let cache = try JudgmentCache.open(path: file)
        try await cache.store(key: "a", reply: Self.reply(1, createdAt: Date(timeIntervalSince1970: 1000)))
        try await cache.store(key: "b", reply: Self.reply(2, model: "judge-large", createdAt: Date(timeIntervalSince1970: 3000)))
        try await cache.store(key: "c", reply: Self.reply(3, version: "yesno/yesno/1", createdAt: Date(timeIntervalSince1970: 2000)))
        try await cache.recordHit(key: "a")
        try await cache.recordHit(key: "a")
        try await cache.recordHit(key: "missing")
        let stats = try await cache.stats()
        let usages = [1, 2, 3].map { CountingUpstream.answer(to: CacheFixtures.request($0)).usage! }
        #expect(stats.entries == 3)
        #expect(stats.hits == 2)
        #expect(stats.storedUsage == usages.reduce(Usage(), +))
        #expect(stats.savedUsage == usages[0] + usages[0])
        #expect(stats.oldest == Date(timeIntervalSince1970: 1000))
        #expect(stats.newest == Date(timeIntervalSince1970: 3000))
        #expect(stats.byModel == ["judge-small": 2, "judge-large": 1])
        #expect(stats.byMethodVersion == ["pointwise/p/1": 2, "yesno/yesno/1": 1])
        #expect(stats.fileBytes > 0 && stats.payloadBytes > 0)
        #expect(stats.path == file.path)
        // Codable for `llmrank cache stats --json`.
        let decoded = try JSONDecoder().decode(CacheStats.self, from: try JSONEncoder().encode(stats))
        #expect(decoded == stats)
    }

    @Test func clearDeletesAllOrOlderEntries() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let cache = try JudgmentCache.open(path: file)
        for i in 0..<10 {
            try await cache.store(key: "k\(i)", reply: Self.reply(i, createdAt: Date(timeIntervalSince1970: Double(1000 * i))))
        }
        #expect(try await cache.clear(olderThan: Date(timeIntervalSince1970: 4500)) == 5)
        #expect(try await cache.keys() == ["k5", "k6", "k7", "k8", "k9"])
        #expect(try await cache.clear() == 5)
        #expect(try await cache.stats().entries == 0)
        try await cache.verify()
    }

    @Test func twoPoolsOnOneFileWriteConcurrently() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let a = try JudgmentCache.open(path: file)
        let b = try JudgmentCache.open(path: file)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                let cache = i.isMultiple(of: 2) ? a : b
                // Half the keys are written by both pools.
                group.addTask { try await cache.store(key: "shared\(i % 100)", reply: Self.reply(i)) }
                group.addTask { try await cache.store(key: "own\(i)", reply: Self.reply(i)) }
            }
            try await group.waitForAll()
        }
        #expect(try await a.keys().count == 300)
        #expect(try await b.stats().entries == 300)
        try await a.verify()
    }

    @Test func aNewerSchemaIsRefusedWithThePath() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let current = try JudgmentCache.open(path: file)
        // Mark the file as written by a future llmrank.
        try await current.pool.write { try $0.execute(sql: "PRAGMA user_version = 99") }
        #expect {
            _ = try JudgmentCache.open(path: file)
        } throws: { error in
            let e = error as? LLMRankError
            return e?.kind == .cache && e?.message.hasPrefix(file.path) == true && e?.message.contains("newer llmrank") == true
        }
    }

    @Test func aPathThatIsNotADatabaseFailsReadably() throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        try Data("this is not sqlite, just text long enough to have a header".utf8).write(to: file)
        #expect {
            _ = try JudgmentCache.open(path: file)
        } throws: { error in
            let e = error as? LLMRankError
            return e?.kind == .cache && e?.message.hasPrefix("\(file.path): cannot open the judgment cache") == true
                && e?.message.contains("--no-cache") == true
        }
    }

    @Test func openCreatesMissingFolders() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let nested = file.deletingLastPathComponent().appendingPathComponent("a/b/judgments.sqlite")
        let cache = try JudgmentCache.open(path: nested)
        try await cache.store(key: "k", reply: Self.reply(0))
        #expect(FileManager.default.fileExists(atPath: nested.path))
    }

    @Test func defaultLocationFollowsLLMRANKHOME() {
        #expect(LLMRankPaths.defaultCache(environment: ["LLMRANK_HOME": "/x/y"]).path == "/x/y/judgments.sqlite")
        #expect(LLMRankPaths.defaultCache(environment: ["HOME": "/home/u"]).path == "/home/u/.cache/llmrank/judgments.sqlite")
    }
}
