/// How the methods over windows (listwise, first) walk a list longer than one window: the
/// judging of one window is the method's (`Rank`), the walk is shared.
///
/// - **Sliding** (RankGPT): windows of `window` passages from the back of the list to the front,
///   moving by `step`, the last one starting at 0 (`windows(count:window:step:)`). Calls: the
///   windows with two or more passages.
/// - **Top-down** (Parry, MacAvaney and Ganguly, "Top-Down Partitioning for Efficient List-Wise
///   Ranking", SIGIR 2024): while the candidates outnumber a window, rank the first window, take
///   the passage at position p = min(k, window - 1) as the pivot, keep those above it as
///   candidates and put those below it in the backfill; then rank the other candidates in batches
///   of window - 1 behind the pivot, each passage ranked above the pivot a candidate, each below
///   it backfill. The candidates of the next round are those above the pivot (window first, then
///   the batches in order) followed by the pivot. When the candidates fit in one window they are
///   ranked once; the order is those candidates, then the backfill, the latest round's first.
///   Each round removes at least window - p passages, so it ends; every passage of the true top k
///   stays a candidate with a judge that orders correctly, since a pivot has p - 1 passages above
///   it. Calls: per round with m candidates, 1 + ceil((m - window) / (window - 1)), plus 1.
///
/// A window whose judging gives no order (a fallback, a spent budget) keeps its incoming order.
enum WindowWalk {
    /// Judges one window: its candidates and what to call it in a fallback ("window 1-20"), with
    /// the ledger that collects calls and flags; the permutation (0-based, best first) or nil.
    typealias Rank = ([Candidate], String, inout PassageLedger) async throws -> [Int]?

    /// The list walked as `strategy` says with windows of `window`, `step` (sliding) and the top
    /// `topK` (top-down).
    static func order(_ candidates: [Candidate], strategy: WindowStrategy, window: Int, step: Int, topK: Int,
                      ledger: inout PassageLedger, rank: Rank) async throws -> [Candidate]
    {
        switch strategy {
        case .sliding: try await sliding(candidates, window: window, step: step, ledger: &ledger, rank: rank)
        case .topdown: try await topDown(candidates, window: window, topK: topK, ledger: &ledger, rank: rank)
        }
    }

    /// One pass of sliding windows from the back to the front.
    static func sliding(_ candidates: [Candidate], window: Int, step: Int, ledger: inout PassageLedger,
                        rank: Rank) async throws -> [Candidate]
    {
        var order = candidates
        for range in windows(count: order.count, window: window, step: step) {
            let ranked = try await ranked(Array(order[range]), "window \(range.lowerBound + 1)-\(range.upperBound)",
                                          ledger: &ledger, rank: rank)
            order.replaceSubrange(range, with: ranked)
        }
        return order
    }

    /// Top-down partitioning for the top `topK` (see the type's comment).
    static func topDown(_ candidates: [Candidate], window: Int, topK: Int, ledger: inout PassageLedger,
                        rank: Rank) async throws -> [Candidate]
    {
        let window = max(2, window)
        let cut = min(max(1, topK), window - 1)
        var pool = candidates
        var backfill: [Candidate] = []
        var round = 0
        while pool.count > window {
            round += 1
            let head = try await ranked(Array(pool.prefix(window)), "round \(round) window 1-\(window)", ledger: &ledger, rank: rank)
            let pivot = head[cut - 1]
            var above = Array(head.prefix(cut - 1))
            var below = Array(head.dropFirst(cut))
            let rest = Array(pool.dropFirst(window))
            for start in stride(from: 0, to: rest.count, by: window - 1) {
                let batch = [pivot] + rest[start..<min(start + window - 1, rest.count)]
                let what = "round \(round) batch \(window + start + 1)-\(window + start + batch.count - 1) with the pivot"
                let order = try await rank(batch, what, &ledger) ?? Array(batch.indices)
                let at = order.firstIndex(of: 0) ?? 0
                above += order[..<at].map { batch[$0] }
                below += order[(at + 1)...].map { batch[$0] }
            }
            pool = above + [pivot]
            backfill = below + backfill
        }
        return try await ranked(pool, "the last \(pool.count) candidates", ledger: &ledger, rank: rank) + backfill
    }

    /// `set` in the order `rank` gives; a set of one, or no order, keeps its order.
    private static func ranked(_ set: [Candidate], _ what: String, ledger: inout PassageLedger, rank: Rank) async throws -> [Candidate] {
        // One passage has one order: nothing to ask, nothing to cut, nothing to flag.
        guard set.count > 1, let order = try await rank(set, what, &ledger) else { return set }
        return order.map { set[$0] }
    }

    /// The windows of one sliding pass, in the order they are judged: from the back of the list
    /// to the front, each `window` long (shorter only when the list is), moving by `step`, the
    /// last one starting at 0. Every position is in at least one window, also when the list is
    /// shorter than a window or its length is not a multiple of the step.
    static func windows(count: Int, window: Int, step: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let window = max(1, window), step = max(1, min(step, window))
        var result: [Range<Int>] = []
        var end = count
        while true {
            let start = max(0, end - window)
            result.append(start..<end)
            if start == 0 { return result }
            end -= step
        }
    }
}
