import Foundation
import Testing
@testable import LLMRank

/// `CachedChat` over each store: hits, misses, shared calls, modes, cancellation.
@Suite(.timeLimit(.minutes(1))) struct CachedChatTests {
    static func chat(_ upstream: CountingUpstream, _ store: any JudgmentStore, mode: CachedChat.Mode = .readWrite,
                     version: String = "pointwise/pointwise-1to5/1") -> CachedChat
    {
        CachedChat(upstream: upstream, store: store, methodVersion: version, mode: mode)
    }

    @Test(arguments: StoreKind.allCases)
    func aMissGoesUpstreamOnceThenHitsWithTheOriginalUsage(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        let upstream = CountingUpstream()
        let chat = Self.chat(upstream, store)
        let request = CacheFixtures.request(1)

        let first = try await chat.complete(request)
        #expect(first.record.cacheHit == false)
        #expect(first.record.attempts == 1)
        #expect(first.record.promptHash == (try chat.cacheKey(for: request)))
        #expect(first.record.status == 200)

        let second = try await chat.complete(request)
        #expect(await upstream.callCount == 1)
        #expect(second.response == first.response)  // logprobs included
        #expect(second.record.cacheHit == true)
        #expect(second.record.attempts == 0)
        #expect(second.record.status == nil)
        #expect(second.record.usage == first.record.usage)
        #expect(second.record.promptHash == first.record.promptHash)

        let trace = Trace(queryID: "q", stages: [StageTrace(stage: "pointwise", calls: [first.record, second.record])])
        #expect(trace.paidCalls == 1 && trace.cacheHits == 1)
        #expect(trace.usage == first.record.usage)

        let stats = try await store.stats()
        #expect(stats.entries == 1 && stats.hits == 1)
        let stored = try #require(try await store.get(key: first.record.promptHash))
        #expect(stored.model == "judge-small")
        #expect(stored.endpoint == upstream.endpointIdentity)
        #expect(stored.methodVersion == "pointwise/pointwise-1to5/1")
        #expect(stored.requestBody == String(decoding: try request.jsonBody(), as: UTF8.self))
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentIdenticalRequestsAreSentOnce(kind: StoreKind) async throws {
        let (subject, upstream) = try await kind.makeWithHeldUpstream()
        let chat = Self.chat(upstream, subject.store)
        let key = try chat.cacheKey(for: CacheFixtures.request(5))
        let results = try await withThrowingTaskGroup(of: ChatResult.self) { group in
            for _ in 0..<24 { group.addTask { try await chat.complete(CacheFixtures.request(5)) } }
            // Every caller is waiting on the one call before upstream answers.
            try await waitUntil("24 callers on one call") { await subject.waiters(for: key) == 24 }
            await upstream.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await upstream.callCount == 1)
        #expect(results.count == 24)
        #expect(results.filter { !$0.record.cacheHit }.count == 1)
        #expect(Set(results.map(\.response)).count == 1)
        #expect(Set(results.map(\.record.promptHash)).count == 1)
        #expect(await subject.flightsInProgress() == 0)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentDifferentRequestsAreEachSent(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let upstream = CountingUpstream(delay: .milliseconds(50))
        let chat = Self.chat(upstream, subject.store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<30 { group.addTask { _ = try await chat.complete(CacheFixtures.request(i % 10)) } }
            try await group.waitForAll()
        }
        #expect(await upstream.callCount == 10)
        #expect(try await subject.store.keys().count == 10)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func theMethodVersionSeparatesEntries(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let upstream = CountingUpstream()
        _ = try await Self.chat(upstream, subject.store, version: "pointwise/p/1").complete(CacheFixtures.request(1))
        _ = try await Self.chat(upstream, subject.store, version: "pointwise/p/2").complete(CacheFixtures.request(1))
        #expect(await upstream.callCount == 2)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func errorsAreNeverStored(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let upstream = CountingUpstream()
        let chat = Self.chat(upstream, subject.store)
        await upstream.state.failNext(1)
        await upstream.hold()
        let key = try chat.cacheKey(for: CacheFixtures.request(2))
        // Concurrent identical requests share the one failing call and all see its error.
        let outcomes = await withTaskGroup(of: LLMRankError?.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await chat.complete(CacheFixtures.request(2))
                        return nil
                    } catch {
                        return error as? LLMRankError
                    }
                }
            }
            try? await waitUntil("5 callers on one call") { await subject.waiters(for: key) == 5 }
            await upstream.release()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 5)
        #expect(outcomes.allSatisfy { $0?.status == 503 })
        #expect(await upstream.callCount == 1)
        #expect(try await subject.store.keys().isEmpty)

        // The next call goes upstream again and succeeds.
        let retried = try await chat.complete(CacheFixtures.request(2))
        #expect(retried.record.cacheHit == false)
        #expect(await upstream.callCount == 2)
        #expect(try await subject.store.keys().count == 1)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func readOnlyNeverStoresAndRefreshNeverLooksUp(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        let upstream = CountingUpstream()
        let readOnly = Self.chat(upstream, store, mode: .readOnly)
        _ = try await readOnly.complete(CacheFixtures.request(1))
        _ = try await readOnly.complete(CacheFixtures.request(1))
        #expect(await upstream.callCount == 2)
        #expect(try await store.keys().isEmpty)

        let readWrite = Self.chat(upstream, store)
        _ = try await readWrite.complete(CacheFixtures.request(1))
        #expect(try await readOnly.complete(CacheFixtures.request(1)).record.cacheHit)
        #expect(await upstream.callCount == 3)

        let refresh = Self.chat(upstream, store, mode: .refresh)
        let refreshed = try await refresh.complete(CacheFixtures.request(1))
        #expect(refreshed.record.cacheHit == false)
        #expect(await upstream.callCount == 4)
        #expect(try await store.keys().count == 1)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func aCancelledLoneCallerCancelsTheUpstreamCall(kind: StoreKind) async throws {
        let (subject, upstream) = try await kind.makeWithHeldUpstream()
        let chat = Self.chat(upstream, subject.store)
        let caller = Task { try await chat.complete(CacheFixtures.request(3)) }
        try await waitUntil("the upstream call") { await upstream.callCount == 1 }
        caller.cancel()
        await #expect(throws: CancellationError.self) { _ = try await caller.value }
        try await waitUntil("the upstream call to be cancelled") { await upstream.state.cancellations == 1 }
        #expect(try await subject.store.keys().isEmpty)
        #expect(await subject.flightsInProgress() == 0)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func aCancelledCallerDoesNotCancelOthersWaiting(kind: StoreKind) async throws {
        let (subject, upstream) = try await kind.makeWithHeldUpstream()
        let chat = Self.chat(upstream, subject.store)
        let key = try chat.cacheKey(for: CacheFixtures.request(4))
        let first = Task { try await chat.complete(CacheFixtures.request(4)) }
        try await waitUntil("the upstream call") { await upstream.callCount == 1 }
        let second = Task { try await chat.complete(CacheFixtures.request(4)) }
        try await waitUntil("two callers on one call") { await subject.waiters(for: key) == 2 }
        first.cancel()
        await #expect(throws: CancellationError.self) { _ = try await first.value }
        await upstream.release()
        let result = try await second.value
        #expect(await upstream.callCount == 1)
        #expect(await upstream.state.cancellations == 0)
        #expect(result.record.cacheHit)
        #expect(try await subject.store.keys().count == 1)
        await subject.remove()
    }

    @Test func aRerunPaysOnlyForWhatIsMissing() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        do {
            let store = try await SQLiteJudgmentStore.open(path: file)
            let chat = Self.chat(CountingUpstream(), store)
            for i in 0..<30 { _ = try await chat.complete(CacheFixtures.request(i)) }
            await store.close()
        }
        let store = try await SQLiteJudgmentStore.open(path: file)
        let upstream = CountingUpstream()
        let chat = Self.chat(upstream, store)
        let records = try await withThrowingTaskGroup(of: CallRecord.self) { group in
            for i in 0..<50 { group.addTask { try await chat.complete(CacheFixtures.request(i)).record } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await upstream.callCount == 20)
        #expect(records.filter(\.cacheHit).count == 30)
        #expect(Set(await upstream.state.calls.map(\.messages)) == Set((30..<50).map { CacheFixtures.request($0).messages }))
    }

    @Test func noCredentialReachesTheFile() async throws {
        let file = try CacheFixtures.temporaryDatabase()
        defer { CacheFixtures.remove(file) }
        let url = try #require(URL(string: "https://user:sk-SECRET-123@api.example.com/v1/chat/completions?api-key=sk-SECRET-123"))
        let upstream = CountingUpstream(endpointIdentity: EndpointIdentity.of(url))
        do {
            let store = try await SQLiteJudgmentStore.open(path: file)
            let chat = Self.chat(upstream, store)
            for i in 0..<5 { _ = try await chat.complete(CacheFixtures.request(i)) }
            _ = try await store.clear(olderThan: Date.distantPast)  // checkpoints nothing away; keeps rows
        }
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            bytes.append((try? Data(contentsOf: URL(fileURLWithPath: file.path + suffix))) ?? Data())
        }
        #expect(bytes.count > 0)
        #expect(bytes.range(of: Data("SECRET".utf8)) == nil)
        #expect(bytes.range(of: Data("api.example.com/v1/chat/completions".utf8)) != nil)
    }
}
