import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The built `llmrank` binary against a perfect simulated judge: `--method first`, `--strategy
/// topdown`, `--setwise-sort bubble`, `--set-size`, `--top-k` and `--allpairs-max` reach the run,
/// as the calls the stub receives and their bodies show.
@Suite struct MethodFlagsCLITests {
    /// Runs `llmrank rerank` over `count` shuffled documents with `flags`; the ids printed, the stub.
    static func rerank(_ count: Int, _ flags: [String]) throws -> (ids: [String], server: StubLLMServer) {
        let (documents, grades) = ChoiceMethodTests.shuffled(count, seed: 7)
        let judge = SimulatedJudge(grades: grades, noise: 0)
        let server = try StubLLMServer(handler: judge.handler)
        let dir = try RerankCommandTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try documents.map { String(decoding: try JSONEncoder().encode(["id": $0.id, "text": $0.text]), as: UTF8.self) }
        let docs = try RerankCommandTests.write(lines.joined(separator: "\n") + "\n", "docs.jsonl", in: dir)
        let outcome = try CLIRunner().run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "which topic",
                                           "--docs", docs, "--no-cache", "--format", "jsonl"] + flags)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let ids = outcome.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
        }
        return (ids, server)
    }

    @Test func methodFirstAsksForOneTokenWithLogprobs() throws {
        let (ids, server) = try Self.rerank(30, ["--method", "first", "--window", "15", "--step", "5"])
        #expect(Array(ids.prefix(10)) == ChoiceMethodTests.trueTop(30, 10))
        #expect(server.requestCount == WindowMethodTests.slidingCalls(30, window: 15, step: 5))
        #expect(server.requests.allSatisfy { $0.json?["max_tokens"] == .number(1) && $0.json?["logprobs"] == .bool(true) })
        #expect(server.requests.contains { $0.json?["top_logprobs"] == .number(15) })
    }

    @Test func strategyTopdownAndTopKReachListwise() throws {
        let (ids, server) = try Self.rerank(40, ["--method", "listwise", "--strategy", "topdown", "--window", "10", "--top-k", "4"])
        #expect(Array(ids.prefix(4)) == ChoiceMethodTests.trueTop(40, 4))
        let incoming = ChoiceMethodTests.shuffled(40, seed: 7).documents.map { Int($0.id.dropFirst())! }
        #expect(server.requestCount == WindowMethodTests.topDownCalls(incoming, window: 10, k: 4))
    }

    @Test func setwiseSortBubbleSetSizeAndTopKReachSetwise() throws {
        let (n, k, c) = (12, 3, 3)
        let (ids, server) = try Self.rerank(n, ["--method", "setwise", "--setwise-sort", "bubble", "--set-size", "\(c)", "--top-k", "\(k)"])
        #expect(Array(ids.prefix(k)) == ChoiceMethodTests.trueTop(n, k))
        #expect(server.requestCount == (0..<k).map { p in (n - p - 1 + c - 2) / (c - 1) }.reduce(0, +))
        for request in server.requests {
            let labels = (request.lastUserMessage ?? "").split(separator: "\n").filter { $0.hasPrefix("[") }
            #expect((2...c).contains(labels.count))
        }
    }

    @Test func allpairsMaxAndTopKReachPairwise() throws {
        // 8 documents above --allpairs-max 6: sliding passes for the top 2.
        let (ids, server) = try Self.rerank(8, ["--method", "pairwise", "--allpairs-max", "6", "--top-k", "2"])
        #expect(Array(ids.prefix(2)) == ChoiceMethodTests.trueTop(8, 2))
        #expect(server.requestCount == 2 * (2 * 7 - 1))
        // At or below it: all pairs in both orders.
        let (all, allServer) = try Self.rerank(6, ["--method", "pairwise", "--allpairs-max", "6"])
        #expect(all == ChoiceMethodTests.trueTop(6, 6))
        #expect(allServer.requestCount == 6 * 5)
    }
}
