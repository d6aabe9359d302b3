import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// First (single-token listwise) and listwise's top-down walk against a perfect simulated judge
/// (StubLLMServer playing the endpoint): the true top 10 in order, and the calls each makes
/// against its formula.
@Suite struct WindowMethodTests {
    static func shuffled(_ count: Int, seed: UInt64) -> (documents: [Document], grades: [String: Int]) {
        ChoiceMethodTests.shuffled(count, seed: seed)
    }

    static func trueTop(_ count: Int, _ k: Int) -> [String] { ChoiceMethodTests.trueTop(count, k) }

    /// Sliding windows with two or more passages: the calls of one sliding pass.
    static func slidingCalls(_ n: Int, window: Int, step: Int) -> Int {
        WindowWalk.windows(count: n, window: window, step: step).filter { $0.count > 1 }.count
    }

    @Test func firstOrdersAWindowOfTwentyFromOneTokensLogprobsInOneCall() async throws {
        let (outcome, server) = try await ChoiceMethodTests.rerank(20, prompt: "first")
        #expect(outcome.list.ids == Self.trueTop(20, 20))
        #expect(server.requestCount == 1)
        let request = try #require(server.requests.first?.json)
        #expect(request["max_tokens"] == .number(1))
        #expect(request["logprobs"] == .bool(true))
        #expect(request["top_logprobs"] == .number(20))
        let user = server.requests.first?.lastUserMessage ?? ""
        #expect(user.contains("[A] ") && user.contains("[T] ") && !user.contains("[1] "))
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
    }

    @Test func firstSlidesOverALongerListLikeListwise() async throws {
        let (n, window, step) = (45, 20, 10)
        let (outcome, server) = try await ChoiceMethodTests.rerank(n, prompt: "first")
        #expect(Array(outcome.list.ids.prefix(window - step)) == Self.trueTop(n, window - step))
        #expect(Set(outcome.list.ids).count == n)
        #expect(server.requestCount == Self.slidingCalls(n, window: window, step: step))
        #expect(server.requests.allSatisfy { $0.json?["max_tokens"] == .number(1) })
    }

    @Test func firstHoldsItsWindowToTwentyPassages() async throws {
        let (outcome, server) = try await ChoiceMethodTests.rerank(30, prompt: "first") { $0.window = 30; $0.step = 10 }
        #expect(server.requestCount == Self.slidingCalls(30, window: 20, step: 10))
        #expect(server.requests.allSatisfy { ($0.json?["top_logprobs"]?.doubleValue ?? 99) <= 20 })
        #expect(Array(outcome.list.ids.prefix(10)) == Self.trueTop(30, 10))
    }

    /// The endpoint answers without logprobs: the first window pays one wasted one-token call, then
    /// every window generates its ranking, flagged.
    @Test func withoutLogprobsFirstGeneratesTheRankingFlagged() async throws {
        let (n, window, step) = (45, 20, 10)
        let (outcome, server) = try await ChoiceMethodTests.rerank(n, prompt: "first", logprobs: false)
        #expect(Array(outcome.list.ids.prefix(window - step)) == Self.trueTop(n, window - step))
        #expect(server.requestCount == Self.slidingCalls(n, window: window, step: step) + 1)
        #expect(server.requests.filter { $0.json?["max_tokens"] == .number(1) }.count == 1)
        #expect(outcome.list.candidates.allSatisfy { c in c.flags.contains { $0.code == .noLogprobs } })
        let detail = outcome.list.candidates.first?.flags.first { $0.code == .noLogprobs }?.detail ?? ""
        #expect(detail.contains("no logprobs"), "\(detail)")
    }

    /// An endpoint that refuses logprobs (a 400 naming them): the request is sent again without
    /// them, its reply has none, and the window's ranking is generated, flagged.
    @Test func anEndpointThatRefusesLogprobsGetsTheGeneratedRanking() async throws {
        let (documents, grades) = Self.shuffled(12, seed: 4)
        let judge = SimulatedJudge(grades: grades, noise: 0)
        let server = try StubLLMServer { request in
            request.json?["logprobs"] == .bool(true) ? StubLLMServer.error(400, "logprobs are not supported") : judge.answer(request)
        }
        let outcome = try await JudgeTests.judge(server, prompt: "first")
            .rerank(query: Query(text: "which topic"), list: RankedList(documents: documents))
        #expect(outcome.list.ids == Self.trueTop(12, 12))
        // Refused, sent again without logprobs (one token), then generated.
        #expect(server.requestCount == 3)
        #expect(server.requests.last?.json?["max_tokens"] != .number(1))
        #expect(outcome.list.candidates.allSatisfy { c in c.flags.map(\.code) == [.noLogprobs] })
    }

    @Test func aMalformedReplyIsRepairedThenAFlaggedFallback() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("They are all equally good.") }
        let documents = ["first passage", "second passage", "third passage"].enumerated().map { Document(id: "d\($0.offset)", text: $0.element) }
        let outcome = try await JudgeTests.judge(server, prompt: "first")
            .rerank(query: Query(text: "q"), list: RankedList(documents: documents))
        #expect(outcome.list.ids == ["d0", "d1", "d2"])
        // One token without logprobs, the generated ranking, its repair.
        #expect(server.requestCount == 3)
        #expect(outcome.trace.calls.contains { $0.repairs == 1 })
        for candidate in outcome.list.candidates {
            #expect(candidate.flags.contains { $0.code == .noLogprobs })
            #expect(candidate.flags.contains { $0.code == .fallback })
        }
    }

    @Test func labelsAbsentFromTheAlternativesKeepTheirIncomingOrderBelow() {
        #expect(FirstStrategy.order(by: [0, 0.5, 0, 0.3, 0.5]) == [1, 4, 3, 0, 2])
    }

    /// An incoming order close to the truth, as a retriever's: the grades plus seeded noise.
    static func retrieverOrder(_ count: Int, noise: Int, seed: UInt64) -> (documents: [Document], grades: [String: Int]) {
        let (documents, grades) = shuffled(count, seed: seed)
        var rng = SeededGenerator(seed: seed)
        let grade = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, Int($0.id.dropFirst())!) })
        let keyed = documents.map { ($0, grade[$0.id]! + Int.random(in: -noise...noise, using: &rng)) }
        return (keyed.sorted { $0.1 > $1.1 }.map(\.0), grades)
    }

    /// Top-down partitioning's calls for a perfect judge over `grades` in incoming order, by the
    /// algorithm's definition: per round 1 + ceil((m - w) / (w - 1)) for m candidates, plus 1.
    static func topDownCalls(_ incoming: [Int], window w: Int, k: Int) -> Int {
        var pool = incoming, calls = 0
        while pool.count > w {
            let head = pool.prefix(w).sorted(by: >)
            let pivot = head[k - 1]
            let rest = Array(pool.dropFirst(w))
            calls += 1 + (rest.count + w - 2) / (w - 1)
            var above = Array(head.prefix(k - 1))
            for start in stride(from: 0, to: rest.count, by: w - 1) {
                above += rest[start..<min(start + w - 1, rest.count)].filter { $0 > pivot }.sorted(by: >)
            }
            pool = above + [pivot]
        }
        return calls + (pool.count > 1 ? 1 : 0)
    }

    static func topDown(_ documents: [Document], grades: [String: Int]) async throws -> (JudgeOutcome, StubLLMServer) {
        let judge = SimulatedJudge(grades: grades, noise: 0)
        let server = try StubLLMServer(handler: judge.handler)
        let outcome = try await JudgeTests.judge(server, prompt: "listwise") { $0.windowStrategy = .topdown }
            .rerank(query: Query(text: "which topic"), list: RankedList(documents: documents))
        return (outcome, server)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func topDownPutsTheTrueTopTenOfAHundredInOrder(seed: UInt64) async throws {
        let (documents, grades) = Self.shuffled(100, seed: seed)
        let (outcome, server) = try await Self.topDown(documents, grades: grades)
        #expect(Array(outcome.list.ids.prefix(10)) == Self.trueTop(100, 10))
        #expect(Set(outcome.list.ids).count == 100)
        let incoming = documents.map { Int($0.id.dropFirst())! }
        #expect(server.requestCount == Self.topDownCalls(incoming, window: 20, k: 10))
    }

    /// From a retriever's order (the truth with noise) top-down needs fewer calls than the 9
    /// windows of a sliding pass over 100, and still finds the true top 10.
    @Test func topDownPaysFewerCallsThanSlidingOverAGoodFirstStage() async throws {
        let (documents, grades) = Self.retrieverOrder(100, noise: 20, seed: 5)
        let (outcome, server) = try await Self.topDown(documents, grades: grades)
        #expect(Array(outcome.list.ids.prefix(10)) == Self.trueTop(100, 10))
        let incoming = documents.map { Int($0.id.dropFirst())! }
        #expect(server.requestCount == Self.topDownCalls(incoming, window: 20, k: 10))
        #expect(server.requestCount < Self.slidingCalls(100, window: 20, step: 10), "\(server.requestCount) calls")
    }

    @Test func firstWalksTopDownToo() async throws {
        let (outcome, server) = try await ChoiceMethodTests.rerank(60, prompt: "first") { $0.windowStrategy = .topdown }
        #expect(Array(outcome.list.ids.prefix(10)) == Self.trueTop(60, 10))
        let incoming = ChoiceMethodTests.shuffled(60, seed: 1).documents.map { Int($0.id.dropFirst())! }
        #expect(server.requestCount == Self.topDownCalls(incoming, window: 20, k: 10))
    }
}
