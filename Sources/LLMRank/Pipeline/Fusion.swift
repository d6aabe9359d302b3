/// Combines the scores earlier stages gave the head into one order.
public struct FusionStage: RerankStage {
    /// How the stages' scores are combined.
    public enum Method: Sendable, Hashable {
        /// Reciprocal rank fusion: sum over stages of 1 / (k + rank), k = 60 by default
        /// (Cormack, Clarke and Buettcher, SIGIR 2009).
        case reciprocalRank(k: Double = 60)
        /// Weighted sum of min-max normalized scores; weights by stage name, missing scores count 0.
        case weighted([String: Double])
    }

    /// The combination used.
    public var method: Method
    /// The stages whose scores are fused, in order.
    public var stages: [String]
    /// Fusion reorders the head and keeps all of it.
    public var keep: Int? { nil }
    /// The stage name in scores and traces: `fusion`.
    public var name: String { "fusion" }

    /// Fuses the scores of `stages` (by stage name) with `method`.
    public init(method: Method, stages: [String]) {
        self.method = method
        self.stages = stages
    }

    /// Orders the list by the fused score (ties keep the list's order) and records it as the `fusion` score.
    public func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList {
        let candidates = list.candidates
        var fused = [Double](repeating: 0, count: candidates.count)
        for stage in stages {
            let scores = candidates.map { $0.score(of: stage) }
            switch method {
            case .reciprocalRank(let k):
                for (rank, i) in Self.ranking(scores).enumerated() where scores[i] != nil {
                    fused[i] += 1 / (k + Double(rank + 1))
                }
            case .weighted(let weights):
                let w = weights[stage] ?? 0
                let present = scores.compactMap { $0 }
                guard let lo = present.min(), let hi = present.max() else { continue }
                for i in candidates.indices {
                    guard let s = scores[i] else { continue }
                    fused[i] += w * (hi > lo ? (s - lo) / (hi - lo) : 1)
                }
            }
        }
        var out = candidates
        for i in out.indices {
            out[i].score = fused[i]
            out[i].stageScores.append(StageScore(stage: name, score: fused[i]))
        }
        let order = out.indices.sorted { fused[$0] != fused[$1] ? fused[$0] > fused[$1] : $0 < $1 }
        return RankedList(candidates: order.map { out[$0] })
    }

    /// Indices ordered by score, best first; missing scores last; ties keep list order.
    static func ranking(_ scores: [Double?]) -> [Int] {
        scores.indices.sorted { a, b in
            switch (scores[a], scores[b]) {
            case let (x?, y?): return x != y ? x > y : a < b
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }
}
