import Foundation
import LLMRankTestSupport
import Logging
import Synchronization
import Testing
@testable import LLMRank

/// The one entry point, against a loopback endpoint: a configuration in, every document out, the
/// store shared across rerankers, many queries through one reranker.
@Suite struct RerankerTests {
    /// A stub that grades passages that mention a zebra 5 and the others 1.
    static func gradingServer() throws -> StubLLMServer {
        try StubLLMServer { req in
            StubLLMServer.reply((req.lastUserMessage ?? "").contains("zebra") ? "Score: 5" : "Score: 1")
        }
    }

    static func configuration(_ server: StubLLMServer, store: StoreSetting = .none) -> RerankerConfiguration {
        RerankerConfiguration(endpoint: EndpointSettings(baseURL: server.baseURL, model: "m", maxAttempts: 1),
                              judge: JudgeSettings(method: .pointwise, jsonMode: .off), store: store)
    }

    static let documents = [
        Document(id: "a", text: "an unrelated passage"),
        Document(id: "b", text: "a zebra passage"),
        Document(id: "c", text: "another unrelated one"),
    ]

    @Test func aConfigurationRerank() async throws {
        let server = try Self.gradingServer()
        let result = try await Reranker.with(Self.configuration(server)) { reranker in
            #expect(reranker.configuration.judge?.method == .pointwise)
            #expect(reranker.endpointLocation == server.baseURL)
            return try await reranker.rerank(query: Query(text: "q"), documents: Self.documents)
        }
        #expect(result.list.ids == ["b", "a", "c"])
        #expect(result.list.candidates.map(\.score) == [5, 1, 1])
        #expect(result.trace.paidCalls == 3)
        #expect(server.requestCount == 3)
        #expect(server.requests.allSatisfy { $0.json?["model"] == .string("m") })
    }

    /// Two rerankers over one store: the second pays nothing.
    @Test func theStoreIsSharedAcrossRerankers() async throws {
        let server = try Self.gradingServer()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-reranker-\(UUID().uuidString).sqlite")
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + s) } }
        let config = Self.configuration(server, store: .sqlite(path: file.path))
        let first = try await Reranker.with(config) { try await $0.rerank(query: Query(text: "q"), documents: Self.documents) }
        let second = try await Reranker.with(config) { try await $0.rerank(query: Query(text: "q"), documents: Self.documents) }
        #expect(first.trace.paidCalls == 3 && second.trace.paidCalls == 0 && second.trace.cacheHits == 3)
        #expect(second.list.ids == first.list.ids)
        #expect(server.requestCount == 3)
    }

    /// Many queries: results in the order given, progress once per query, at most `concurrency`
    /// queries (here one document each, judged one at a time) in flight at the endpoint.
    @Test func manyQueriesKeepTheirOrder() async throws {
        let server = try StubLLMServer { req in
            StubLLMServer.reply((req.lastUserMessage ?? "").contains("zebra") ? "Score: 5" : "Score: 1", delay: .milliseconds(20))
        }
        var config = Self.configuration(server)
        config.endpoint.concurrency = 1
        let queries = (0..<6).map { i in
            (query: Query(id: "q\(i)", text: "query \(i)"),
             list: RankedList(documents: [Document(id: "x\(i)", text: "passage \(i)"), Document(id: "y\(i)", text: "zebra \(i)")]))
        }
        let progress = Mutex<[Int]>([])
        let results = try await Reranker.with(config) { reranker in
            try await reranker.rerank(queries, concurrency: 2) { done in progress.withLock { $0.append(done) } }
        }
        #expect(results.map { $0.trace.queryID } == queries.map(\.query.id))
        #expect(results.map { $0.list.ids.first } == (0..<6).map { "y\($0)" })
        #expect(progress.withLock { $0 } == [1, 2, 3, 4, 5, 6])
        #expect(server.maxInFlight <= 2)
        let summary = RunSummary(results: results, wall: .seconds(1))
        #expect(summary.queries == 6 && summary.calls == 12 && summary.fallbacks == 0)
    }

    /// The encoder-only configuration needs no endpoint: none is made, whatever the environment says.
    @Test func anEncoderOnlyRerankerHasNoEndpoint() async throws {
        let config = RerankerConfiguration(endpoint: EndpointSettings(baseURL: "local"), encoder: nil, judge: nil)
        let error = await #expect(throws: LLMRankError.self) { try await Reranker.start(config) }
        #expect(error?.message == "judge: a profile needs a remote, an encoder or a judge stage")
    }

    /// An invalid configuration fails before any call, naming the field.
    @Test func invalidConfigurationsFailBeforeAnyCall() async throws {
        let server = try Self.gradingServer()
        var config = Self.configuration(server)
        config.judge?.window = 1
        let error = await #expect(throws: LLMRankError.self) {
            try await Reranker.with(config) { try await $0.rerank(query: Query(text: "q"), documents: Self.documents) }
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message == "judge.window: must be between 2 and 100, got 1")
        #expect(server.requestCount == 0)
    }

    /// Fusion, depth and top-n from the configuration reach the pipeline.
    @Test func depthAndTopNShapeTheResult() async throws {
        let server = try Self.gradingServer()
        var config = Self.configuration(server)
        config.depth = 2
        config.topN = 2
        let result = try await Reranker.with(config) { try await $0.rerank(query: Query(text: "q"), documents: Self.documents) }
        // Only a and b are judged (depth 2): b first; c was cut and top-n drops it.
        #expect(result.list.ids == ["b", "a"])
        #expect(server.requestCount == 2)
    }

    /// The embedded server is never started for a reranker without a judge, and one that fails to
    /// find its binary is a setup error before any work.
    @Test func aMissingLocalServerIsASetupError() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-empty-home-\(UUID().uuidString)")
        let config = RerankerConfiguration(endpoint: EndpointSettings(baseURL: "local"), judge: JudgeSettings(method: .yesno), store: .none)
        let error = await #expect(throws: LLMRankError.self) {
            try await Reranker.start(config, environment: ["LLMRANK_HOME": home.path])
        }
        #expect(error?.kind == .setup)
    }
}
