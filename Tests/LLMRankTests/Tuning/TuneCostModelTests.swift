import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// `llmrank tune`'s estimate of each method's calls and tokens before any call, checked against
/// real runs: a perfect simulated judge over passages already in their true order agrees with the
/// incoming order, so a run against it makes exactly the calls the estimate counts.
@Suite struct TuneCostModelTests {
    /// Two queries of `count` passages, best first (passage i has grade count - i).
    static func queries(_ count: Int) -> (queries: [EvalQuery], grades: [String: Int]) {
        var grades: [String: Int] = [:]
        let queries = ["which river", "which mountain"].enumerated().map { q, text in
            let documents = (0..<count).map { i in
                let passage = "Passage \(q)-\(i) tells of subject \(q * 100 + i) and little else about subject \(q * 100 + i)."
                grades[passage] = count - i
                return Document(id: "q\(q)d\(i)", text: passage)
            }
            return EvalQuery(query: Query(id: "q\(q)", text: text), documents: documents)
        }
        return (queries, grades)
    }

    /// The calls and tokens (message characters / 4 + max_tokens) per query that `judge` makes over
    /// the first `k` passages of each query against the perfect simulated judge.
    static func measured(_ judge: JudgeSettings, k: Int, count: Int) async throws -> TuneCost {
        let (queries, grades) = Self.queries(count)
        let server = try StubLLMServer(handler: SimulatedJudge(grades: grades).handler)
        defer { server.stop() }
        let real = Judge(prompt: try judge.resolvePrompt(), chat: JudgeTests.client(server),
                         options: judge.options(model: "m", concurrency: 1))
        for q in queries {
            let outcome = try await real.rerank(query: q.query, list: RankedList(documents: Array(q.documents.prefix(k))))
            #expect(outcome.list.ids == q.documents.prefix(k).map(\.id), "the judge agrees with the incoming order")
            #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
        }
        var characters = 0, completion = 0
        for request in server.requests {
            let json = try #require(request.json)
            characters += (json["messages"]?.arrayValue ?? []).compactMap { $0["content"]?.stringValue?.count }.reduce(0, +)
            completion += Int(json["max_tokens"]?.doubleValue ?? 0)
        }
        let n = Double(queries.count)
        return TuneCost(calls: Double(server.requestCount) / n, tokens: (Double(characters) / 4 + Double(completion)) / n)
    }

    static func settings(_ method: JudgeMethod, _ configure: (inout JudgeSettings) -> Void = { _ in }) -> JudgeSettings {
        var judge = JudgeSettings(method: method)
        configure(&judge)
        return judge
    }

    @Test(arguments: [
        ("setwise heap", TuneCostModelTests.settings(.setwise), 30),
        ("setwise bubble", TuneCostModelTests.settings(.setwise) { $0.setwiseSort = .bubble }, 30),
        ("pairwise all pairs", TuneCostModelTests.settings(.pairwise), 12),
        ("pairwise sliding", TuneCostModelTests.settings(.pairwise) { $0.topK = 5 }, 25),
        ("listwise top-down", TuneCostModelTests.settings(.listwise) { $0.strategy = .topdown; $0.window = 10; $0.topK = 5 }, 30),
        ("first top-down", TuneCostModelTests.settings(.first) { $0.strategy = .topdown; $0.window = 10; $0.topK = 5 }, 30),
        ("listwise sliding", TuneCostModelTests.settings(.listwise) { $0.window = 10; $0.step = 5 }, 30),
        ("yesno", TuneCostModelTests.settings(.yesno), 12),
    ])
    func theEstimateIsWhatARunThatKeepsTheOrderMakes(name: String, judge: JudgeSettings, k: Int) async throws {
        let estimate = try await TuneCostModel.cost(judge: judge, k: k, queries: Self.queries(k + 5).queries)
        let measured = try await Self.measured(judge, k: k, count: k + 5)
        #expect(estimate.calls == measured.calls, "\(name)")
        #expect(abs(estimate.tokens - measured.tokens) <= 0.5, "\(name): \(estimate.tokens) vs \(measured.tokens)")
    }

    @Test func sortsAreCostedByTheirCallsNotAsOneCall() async throws {
        let (queries, _) = Self.queries(30)
        // Setwise heap (set size 4, top 10) over 30: within the call bounds of its sorts, and more
        // than the 10 nodes with children, since each take moves a passage from the bottom to the top.
        let setwise = try await TuneCostModel.cost(judge: Self.settings(.setwise), k: 30, queries: queries)
        let (low, high) = ChoiceMethodTests.heapCallBounds(n: 30, c: 4, k: 10)
        #expect(setwise.calls > Double(low) && setwise.calls <= Double(high), "\(setwise.calls) calls, bounds \(low)...\(high)")
        // Pairwise over 12: every pair in both orders.
        let pairwise = try await TuneCostModel.cost(judge: Self.settings(.pairwise), k: 12, queries: queries)
        #expect(pairwise.calls == Double(12 * 11))
        // Top-down over 30 in windows of 10 for the top 5: the first window, two batches behind
        // the pivot, and the last candidates.
        let topdown = try await TuneCostModel.cost(judge: Self.settings(.listwise) { $0.strategy = .topdown; $0.window = 10; $0.topK = 5 },
                                                   k: 30, queries: queries)
        #expect(topdown.calls == Double(1 + 3 + 1))
        #expect(TuneCostModel.shape(of: .setwise) == .other && TuneCostModel.shape(of: .first) == .windows)
    }
}
