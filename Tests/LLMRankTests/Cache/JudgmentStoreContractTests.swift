import Foundation
import Testing
@testable import LLMRank

/// The behaviour every `JudgmentStore` promises, checked for each store: SQLite on a real file, and
/// memory. A new store joins by adding a case to `StoreKind`.
@Suite struct JudgmentStoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func putAndGetRoundTripTheWholeReply(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        let stored = CacheFixtures.reply(1, createdAt: Date(timeIntervalSince1970: 1_790_000_000.25))
        #expect(try await store.get(key: "k1") == nil)
        try await store.put(key: "k1", reply: stored)
        let found = try #require(try await store.get(key: "k1"))
        #expect(found == stored)
        #expect(found.response.logprobs?.first?.topLogprobs.map(\.token) == ["Yes", "No"])
        #expect(found.usage == stored.response.usage)
        let stats = try await store.stats()
        #expect(stats.sessionHits == 1 && stats.sessionMisses == 1)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func putReplacesAnEntry(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        try await store.put(key: "k", reply: CacheFixtures.reply(1))
        try await store.put(key: "k", reply: CacheFixtures.reply(2))
        let found = try #require(try await store.get(key: "k"))
        #expect(found == CacheFixtures.reply(2, createdAt: found.createdAt))
        #expect(try await store.keys() == ["k"])
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func statsCountEntriesTokensHitsAndDates(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        try await store.put(key: "a", reply: CacheFixtures.reply(1, createdAt: Date(timeIntervalSince1970: 1000)))
        try await store.put(key: "b", reply: CacheFixtures.reply(2, model: "judge-large", createdAt: Date(timeIntervalSince1970: 3000)))
        try await store.put(key: "c", reply: CacheFixtures.reply(3, version: "yesno/yesno/1", createdAt: Date(timeIntervalSince1970: 2000)))
        try await store.recordHit(key: "a")
        try await store.recordHit(key: "a")
        try await store.recordHit(key: "missing")
        let stats = try await store.stats()
        let usages = [1, 2, 3].map { CountingUpstream.answer(to: CacheFixtures.request($0)).usage! }
        #expect(stats.entries == 3)
        #expect(stats.hits == 2)
        #expect(stats.storedUsage == usages.reduce(Usage(), +))
        #expect(stats.savedUsage == usages[0] + usages[0])
        #expect(stats.oldest == Date(timeIntervalSince1970: 1000))
        #expect(stats.newest == Date(timeIntervalSince1970: 3000))
        #expect(stats.byModel == ["judge-small": 2, "judge-large": 1])
        #expect(stats.byMethodVersion == ["pointwise/p/1": 2, "yesno/yesno/1": 1])
        #expect(stats.payloadBytes > 0)
        #expect((stats.fileBytes > 0) == (kind == .sqlite))
        #expect(stats.path == store.location)
        // Codable for `llmrank cache stats --json`.
        let decoded = try JSONDecoder().decode(CacheStats.self, from: try JSONEncoder().encode(stats))
        #expect(decoded == stats)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func clearDeletesAllOrOlderEntries(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        for i in 0..<10 {
            try await store.put(key: "k\(i)", reply: CacheFixtures.reply(i, createdAt: Date(timeIntervalSince1970: Double(1000 * i))))
        }
        #expect(try await store.clear(olderThan: Date(timeIntervalSince1970: 4500)) == 5)
        #expect(try await store.keys() == ["k5", "k6", "k7", "k8", "k9"])
        #expect(try await store.clear() == 5)
        #expect(try await store.stats().entries == 0)
        #expect(try await store.get(key: "k7") == nil)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentWritersAndReadersSeeWholeReplies(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                // Half the keys are written twice, with different replies.
                group.addTask { try await store.put(key: "shared\(i % 50)", reply: CacheFixtures.reply(i)) }
                group.addTask { try await store.put(key: "own\(i)", reply: CacheFixtures.reply(i)) }
                group.addTask {
                    if let seen = try await store.get(key: "shared\(i % 50)") {
                        // Either writer's reply, never a mix.
                        #expect(seen == CacheFixtures.reply(i % 50, createdAt: seen.createdAt)
                            || seen == CacheFixtures.reply(i % 50 + 50, createdAt: seen.createdAt))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.keys().count == 150)
        await subject.remove()
    }

    @Test(.timeLimit(.minutes(1)), arguments: StoreKind.allCases)
    func singleFlightRunsTheOperationOnceForOverlappingCallers(kind: StoreKind) async throws {
        let (subject, upstream) = try await kind.makeWithHeldUpstream()
        let request = CacheFixtures.request(1)
        let results = try await withThrowingTaskGroup(of: SharedFlight.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await subject.store.singleFlight(key: "k") { .fetched(try await upstream.complete(request)) }
                }
            }
            try await waitUntil("10 callers on one call") { await subject.waiters(for: "k") == 10 }
            await upstream.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await upstream.callCount == 1)
        #expect(results.filter { !$0.joined }.count == 1)
        #expect(await subject.flightsInProgress() == 0)
        // The call is over: the next caller runs the operation again.
        _ = try await subject.store.singleFlight(key: "k") { .fetched(try await upstream.complete(request)) }
        #expect(await upstream.callCount == 2)
        await subject.remove()
    }

    @Test(.timeLimit(.minutes(1)), arguments: StoreKind.allCases)
    func singleFlightErrorsReachEveryCallerAndAreNotKept(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let upstream = CountingUpstream()
        await upstream.state.failNext(1)
        await upstream.hold()
        let request = CacheFixtures.request(2)
        let statuses = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await subject.store.singleFlight(key: "k") { .fetched(try await upstream.complete(request)) }
                        return nil
                    } catch {
                        return (error as? LLMRankError)?.status
                    }
                }
            }
            try? await waitUntil("5 callers on one call") { await subject.waiters(for: "k") == 5 }
            await upstream.release()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [503, 503, 503, 503, 503])
        #expect(await upstream.callCount == 1)
        let retried = try await subject.store.singleFlight(key: "k") { .fetched(try await upstream.complete(request)) }
        #expect(!retried.joined)
        #expect(await upstream.callCount == 2)
        await subject.remove()
    }

    @Test(.timeLimit(.minutes(1)), arguments: StoreKind.allCases)
    func aCancelledCallerLeavesAtOnceAndTheLastOneCancelsTheCall(kind: StoreKind) async throws {
        let (subject, upstream) = try await kind.makeWithHeldUpstream()
        let request = CacheFixtures.request(3)
        let call: @Sendable () async throws -> FlightOutcome = { .fetched(try await upstream.complete(request)) }
        let first = Task { try await subject.store.singleFlight(key: "k", call) }
        let second = Task { try await subject.store.singleFlight(key: "k", call) }
        try await waitUntil("two callers on one call") { await subject.waiters(for: "k") == 2 }
        // One caller leaves; the call goes on for the other.
        first.cancel()
        await #expect(throws: CancellationError.self) { _ = try await first.value }
        #expect(await subject.waiters(for: "k") == 1)
        #expect(await upstream.state.cancellations == 0)
        // The last caller leaves; the call is cancelled.
        second.cancel()
        await #expect(throws: CancellationError.self) { _ = try await second.value }
        try await waitUntil("the upstream call to be cancelled") { await upstream.state.cancellations == 1 }
        #expect(await subject.flightsInProgress() == 0)
        #expect(await upstream.callCount == 1)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases, Damage.allCases)
    func aDamagedEntryIsAMissThatTheNextReplyReplaces(kind: StoreKind, damage: Damage) async throws {
        let subject = try await kind.make()
        let upstream = CountingUpstream()
        let chat = CachedChat(upstream: upstream, store: subject.store, methodVersion: "yesno/yesno/1")
        let request = CacheFixtures.request(4)
        let key = try chat.cacheKey(for: request)
        let first = try await chat.complete(request)
        try await subject.damage(key, damage)

        _ = try await subject.store.stats()  // a damaged entry never breaks statistics
        #expect(try await subject.store.get(key: key) == nil)
        #expect(try await subject.store.keys() == [key])  // still there, but not used
        let again = try await chat.complete(request)
        #expect(await upstream.callCount == 2)
        #expect(again.record.cacheHit == false)
        #expect(again.response == first.response)
        // The new reply replaced the damaged entry.
        #expect(try await subject.store.get(key: key)?.response == first.response)
        #expect(try await chat.complete(request).record.cacheHit)
        #expect(await upstream.callCount == 2)
        await subject.remove()
    }
}
