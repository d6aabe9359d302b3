import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// Pairwise and setwise against a perfect simulated judge (StubLLMServer playing the endpoint):
/// the true top 10 in order from shuffled documents, and the calls each makes against its formula.
@Suite struct ChoiceMethodTests {
    /// `count` documents with distinct grades (document i has grade i), shuffled by `seed`.
    static func shuffled(_ count: Int, seed: UInt64) -> (documents: [Document], grades: [String: Int]) {
        let texts = (0..<count).map { "Document \($0) is about topic \($0) and says little else beyond topic \($0)." }
        var rng = SeededGenerator(seed: seed)
        let documents = (0..<count).map { Document(id: "d\($0)", text: texts[$0]) }.shuffled(using: &rng)
        return (documents, Dictionary(uniqueKeysWithValues: texts.enumerated().map { ($0.element, $0.offset) }))
    }

    static func rerank(_ count: Int, prompt: String, seed: UInt64 = 1, logprobs: Bool = true,
                       _ configure: (inout JudgeOptions) -> Void = { _ in }) async throws -> (JudgeOutcome, StubLLMServer)
    {
        let (documents, grades) = shuffled(count, seed: seed)
        let judge = SimulatedJudge(grades: grades, noise: 0)
        let server = try StubLLMServer { request in
            let action = judge.answer(request)
            guard !logprobs, case .respond(let status, let headers, let body, let delay) = action else { return action }
            return .respond(status: status, headers: headers, body: Self.withoutLogprobs(body), delay: delay)
        }
        let outcome = try await JudgeTests.judge(server, prompt: prompt, configure)
            .rerank(query: Query(text: "which topic"), list: RankedList(documents: documents))
        return (outcome, server)
    }

    /// A completion body with its logprobs removed.
    static func withoutLogprobs(_ body: Data) -> Data {
        guard var object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              var choices = object["choices"] as? [[String: Any]] else { return body }
        for i in choices.indices { choices[i]["logprobs"] = nil }
        object["choices"] = choices
        return (try? JSONSerialization.data(withJSONObject: object)) ?? body
    }

    static func trueTop(_ count: Int, _ k: Int) -> [String] { (0..<k).map { "d\(count - 1 - $0)" } }

    @Test func pairwiseAllPairsOrdersEveryDocumentInNTimesNMinusOneCalls() async throws {
        let (outcome, server) = try await Self.rerank(12, prompt: "pairwise")
        #expect(outcome.list.ids == Self.trueTop(12, 12))
        #expect(server.requestCount == 12 * 11)
        #expect(outcome.trace.calls.count == 12 * 11)
        // Wins: the best document beats every other in both orders.
        #expect(outcome.list.candidates.first?.score.map { $0.rounded(.down) } == 22)
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
    }

    @Test func pairwiseSlidesAboveAllPairsMax() async throws {
        let (n, k) = (30, 10)
        let (outcome, server) = try await Self.rerank(n, prompt: "pairwise")
        #expect(Array(outcome.list.ids.prefix(k)) == Self.trueTop(n, k))
        #expect(Set(outcome.list.ids).count == n)
        // k passes, pass p compares n-1-p adjacent pairs, two calls each.
        #expect(server.requestCount == 2 * (k * (n - 1) - k * (k - 1) / 2))
    }

    @Test func pairwiseWithoutLogprobsReadsTheGeneratedLabel() async throws {
        let (outcome, _) = try await Self.rerank(8, prompt: "pairwise", logprobs: false)
        #expect(outcome.list.ids == Self.trueTop(8, 8))
    }

    @Test(arguments: [true, false])
    func setwiseHeapSortFindsTheTopTen(logprobs: Bool) async throws {
        let (n, k, c) = (30, 10, 4)
        let (outcome, server) = try await Self.rerank(n, prompt: "setwise", logprobs: logprobs)
        #expect(Array(outcome.list.ids.prefix(k)) == Self.trueTop(n, k))
        // Below the top k, the incoming order.
        let incoming = Self.shuffled(n, seed: 1).documents.map(\.id)
        #expect(Array(outcome.list.ids.dropFirst(k)) == incoming.filter { !Self.trueTop(n, k).contains($0) })
        let (low, high) = Self.heapCallBounds(n: n, c: c, k: k)
        #expect(server.requestCount >= low && server.requestCount <= high, "\(server.requestCount) calls, bounds \(low)...\(high)")
        #expect(server.requests.allSatisfy { ($0.lastUserMessage ?? "").contains("[1]") })
    }

    /// The call bounds of a (c-1)-ary heap sort for the top k of n: at least one call per node with
    /// children plus one per sift-down after a take; at most each such node's height plus the
    /// heap's depth per sift-down.
    static func heapCallBounds(n: Int, c: Int, k: Int) -> (Int, Int) {
        let d = c - 1
        func height(_ i: Int) -> Int { d * i + 1 < n ? 1 + height(d * i + 1) : 0 }
        let inner = (n - 2) / d + 1
        let heights = (0..<inner).map(height).reduce(0, +)
        return (inner + (k - 1), heights + (k - 1) * height(0))
    }

    @Test(arguments: [true, false])
    func setwiseBubbleSortFindsTheTopTen(logprobs: Bool) async throws {
        let (n, k, c) = (30, 10, 4)
        let (outcome, server) = try await Self.rerank(n, prompt: "setwise", logprobs: logprobs) { $0.setwiseSort = .bubble }
        #expect(Array(outcome.list.ids.prefix(k)) == Self.trueTop(n, k))
        #expect(Set(outcome.list.ids).count == n)
        // Pass p moves sets of c up positions p...n-1, each next set c - 1 higher.
        let calls = (0..<k).map { p in (n - p - 1 + c - 2) / (c - 1) }.reduce(0, +)
        #expect(server.requestCount == calls)
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
    }

    @Test func setwiseSetsAreAtMostTheSetSize() async throws {
        let (outcome, server) = try await Self.rerank(15, prompt: "setwise") { $0.setSize = 3; $0.topK = 5 }
        #expect(Array(outcome.list.ids.prefix(5)) == Self.trueTop(15, 5))
        for request in server.requests {
            let labels = (request.lastUserMessage ?? "").split(separator: "\n").filter { $0.hasPrefix("[") }
            #expect((2...3).contains(labels.count))
        }
    }

    @Test(arguments: ["pairwise", "setwise"])
    func aReplyWithoutALabelIsRepairedThenAFlaggedFallback(prompt: String) async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("Both are equally good.") }
        let documents = [Document(id: "a", text: "first passage"), Document(id: "b", text: "second passage")]
        let outcome = try await JudgeTests.judge(server, prompt: prompt)
            .rerank(query: Query(text: "q"), list: RankedList(documents: documents))
        #expect(outcome.list.ids == ["a", "b"])
        #expect(outcome.list.candidates.allSatisfy { c in c.flags.contains { $0.code == Flag.Code.fallback } })
        #expect(outcome.trace.calls.contains { $0.repairs == 1 })
    }
}
