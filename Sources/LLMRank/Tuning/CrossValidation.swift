/// k-fold cross-validation over queries for choosing among candidates: the queries are shuffled
/// with a seeded generator and dealt into `folds` folds; for each fold, a candidate is chosen on the
/// other folds and scored on this one. The held-out scores of the chosen ones estimate how well the
/// choosing does on queries it has not seen, which the in-sample best overstates.
public struct CrossValidation: Sendable, Hashable {
    /// The fold of each query, by position in the score arrays (0..<folds).
    public var foldOf: [Int]
    /// The number of folds.
    public var folds: Int

    /// Deals `count` queries into `folds` folds (as equal as they can be) after a shuffle from `seed`.
    public init(count: Int, folds: Int, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let order = Array(0..<count).shuffled(using: &generator)
        var foldOf = [Int](repeating: 0, count: count)
        for (position, query) in order.enumerated() { foldOf[query] = position % max(1, folds) }
        self.foldOf = foldOf
        self.folds = max(1, folds)
    }

    /// The positions of the queries in `fold`.
    public func members(of fold: Int) -> [Int] { foldOf.indices.filter { foldOf[$0] == fold } }

    /// The mean of `scores` over the queries of each fold (a fold with no query gives 0).
    public func foldMeans(_ scores: [Double]) -> [Double] {
        (0..<folds).map { f in
            let m = members(of: f)
            return m.isEmpty ? 0 : m.map { scores[$0] }.reduce(0, +) / Double(m.count)
        }
    }

    /// Chooses among `candidates` (indices into `scores`, each an array of per-query scores) in
    /// each fold by the best mean on the other folds (ties: the earlier candidate in `candidates`,
    /// so order them cheapest first), and returns each query's held-out score and the candidate
    /// chosen for each fold.
    public func heldOut(_ scores: [[Double]], candidates: [Int]) -> (perQuery: [Double], chosen: [Int]) {
        var perQuery = [Double](repeating: 0, count: foldOf.count)
        var chosen: [Int] = []
        for f in 0..<folds {
            let train = foldOf.indices.filter { foldOf[$0] != f }
            let best = Self.best(scores, candidates: candidates, on: train.isEmpty ? Array(foldOf.indices) : train)
            chosen.append(best)
            for q in members(of: f) { perQuery[q] = scores[best][q] }
        }
        return (perQuery, chosen)
    }

    /// The candidate with the best mean over `queries`; ties go to the earlier one in `candidates`.
    public static func best(_ scores: [[Double]], candidates: [Int], on queries: [Int]) -> Int {
        var best = candidates[0]
        var bestMean = -Double.infinity
        for c in candidates {
            let mean = queries.map { scores[c][$0] }.reduce(0, +) / Double(max(1, queries.count))
            if mean > bestMean + 1e-12 {
                best = c
                bestMean = mean
            }
        }
        return best
    }
}

extension Array where Element == Double {
    /// The arithmetic mean (0 when empty).
    var mean: Double { isEmpty ? 0 : reduce(0, +) / Double(count) }

    /// The sample standard deviation (0 with fewer than two values).
    var standardDeviation: Double {
        guard count > 1 else { return 0 }
        let m = mean
        return (map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(count - 1)).squareRoot()
    }
}
