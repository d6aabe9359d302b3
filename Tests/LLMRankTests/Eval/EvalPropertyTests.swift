import Foundation
import PropertyBased
import Testing
@testable import LLMRank

@Suite struct EvalPropertyTests {
    /// Any list, whatever its scores (ties, gaps, none), comes back from a written TREC run in its
    /// own order: the writer's scores survive trec_eval's re-sort.
    @Test func trecRunRoundTripKeepsAnyOrder() async throws {
        let dir = try EvalScratchDir()
        let corpus = try dir.write("c.tsv", (0..<20).map { "d\($0)\tt" }.joined(separator: "\n"))
        let topics = try dir.write("t.tsv", "q\tquery\n")
        // -1 stands for "no score".
        await propertyCheck(count: 60, input: Gen.int(in: -1...3).array(of: 1...20), Gen.int(in: 0...1000)) { codes, seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            let ids = (0..<codes.count).map { "d\($0)" }.shuffled(using: &rng)
            let list = RankedList(candidates: zip(ids, codes).enumerated().map { i, p in
                Candidate(document: Document(id: p.0, text: "t"), score: p.1 < 0 ? nil : Double(p.1), rank: i + 1)
            })
            do {
                let run = dir.path("run-\(seed)-\(codes.count).trec")
                try TRECRunWriter.write([(queryID: "q", list: list)], to: run)
                let back = try RunReader.readTREC(run: run, corpus: corpus, topics: topics)
                #expect(back.map(\.ids) == [ids])
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    /// Every metric lies in [0, 1]; the ideal order (grades descending) has NDCG 1 at every cutoff
    /// when the query has a positive grade, and recall@n 1 over the full list.
    @Test func metricBoundsAndIdealOrder() async {
        let metrics: [Metric] = [.ndcg(1), .ndcg(5), .ndcg(), .mrr(3), .mrr(), .map(), .map(5), .precision(5),
                                 .recall(5), .hit(3)]
        await propertyCheck(count: 200, input: Gen.int(in: -1...3).array(of: 0...15), Gen.int(in: 1...2)) { grades, threshold in
            let judgments = Dictionary(uniqueKeysWithValues: grades.enumerated().map { ("d\($0)", $1) })
            let ideal = judgments.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
            let ranking = ideal.reversed() + ["unjudged"]
            for m in metrics {
                for r in [ideal, Array(ranking)] {
                    let v = m.value(ranking: r, judgments: judgments, relThreshold: threshold)
                    #expect(v >= 0 && v <= 1, "\(m) = \(v)")
                }
            }
            if grades.contains(where: { $0 > 0 }) {
                for m in [Metric.ndcg(1), .ndcg(5), .ndcg()] {
                    #expect(abs(m.value(ranking: ideal, judgments: judgments) - 1) < 1e-12)
                }
            }
            if grades.contains(where: { $0 >= threshold }) {
                #expect(Metric.recall(20).value(ranking: ideal, judgments: judgments, relThreshold: threshold) == 1)
                #expect(Metric.mrr().value(ranking: ideal, judgments: judgments, relThreshold: threshold) == 1)
            }
        }
    }
}
