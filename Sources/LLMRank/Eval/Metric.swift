import Foundation

/// An IR metric with trec_eval's semantics (usnistgov/trec_eval, the m_*.c files named below), over
/// one ranking of document ids and one query's graded judgments.
///
/// - Unjudged documents are not relevant and have gain 0.
/// - Binary metrics call a document relevant when its grade is >= the relevance threshold
///   (trec_eval `-l`, pytrec_eval `relevance_level`; default 1).
/// - The ranking is read in the order given: it is never re-sorted by score (trec_eval sorts by
///   score; runs we read from TREC files are already in its order, and lists we write carry
///   strictly falling scores, so the two agree).
/// - A cutoff larger than the ranking reads the missing ranks as not relevant.
/// - A repeated id counts once, at its first rank (trec_eval rejects such runs; our readers do too).
public struct Metric: Sendable, Hashable, CustomStringConvertible {
    /// The measure, without its cutoff.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// NDCG with gain = grade (grades <= 0 give nothing), discount log2(rank + 1), the ideal DCG
        /// over all positive grades the query has (judged and retrieved or not); 0 when the ideal is
        /// 0. trec_eval's `ndcg_cut.k` (m_ndcg_cut.c); without a cutoff `ndcg` (m_ndcg.c).
        case ndcg
        /// Reciprocal rank of the first relevant document within the cutoff, 0 if none. Without a
        /// cutoff trec_eval's `recip_rank` (m_recip_rank.c), which has none; `mrr@k` equals
        /// `recip_rank` on the ranking cut to k.
        case mrr
        /// Average precision: the sum of precision at each relevant document's rank (within the
        /// cutoff) over the number of relevant documents the query has; 0 if it has none.
        /// trec_eval's `map` and, with a cutoff, `map_cut.k` (m_map.c, m_map_cut.c).
        case map
        /// Relevant documents in the top k over k (also when the ranking is shorter). `P.k` (m_P.c).
        case precision
        /// Relevant documents in the top k over the relevant documents the query has; 0 if it has
        /// none. `recall.k` (m_recall.c).
        case recall
        /// 1 if a relevant document is in the top k, else 0 (the "hit rate"). trec_eval's
        /// `success.k` (m_success.c).
        case hit
    }

    /// The measure.
    public var kind: Kind
    /// The cutoff k; nil means the whole ranking (only for ndcg, mrr and map).
    public var cutoff: Int?

    /// A metric of `kind`, cut at `cutoff` ranks (nil: the whole ranking).
    public init(_ kind: Kind, cutoff: Int? = nil) {
        self.kind = kind
        self.cutoff = cutoff
    }

    /// NDCG, at `k` or over the whole ranking.
    public static func ndcg(_ k: Int? = nil) -> Metric { Metric(.ndcg, cutoff: k) }
    /// Reciprocal rank, within `k` or the whole ranking.
    public static func mrr(_ k: Int? = nil) -> Metric { Metric(.mrr, cutoff: k) }
    /// Average precision, within `k` or the whole ranking.
    public static func map(_ k: Int? = nil) -> Metric { Metric(.map, cutoff: k) }
    /// Precision at `k`.
    public static func precision(_ k: Int) -> Metric { Metric(.precision, cutoff: k) }
    /// Recall at `k`.
    public static func recall(_ k: Int) -> Metric { Metric(.recall, cutoff: k) }
    /// Hit rate at `k` (success@k).
    public static func hit(_ k: Int) -> Metric { Metric(.hit, cutoff: k) }

    /// The default list: `ndcg@10,mrr@10,map,p@5,recall@100,hit@10`.
    public static let defaults: [Metric] = [.ndcg(10), .mrr(10), .map(), .precision(5), .recall(100), .hit(10)]

    /// The canonical name: `ndcg@10`, `mrr@10`, `map`, `map@100`, `p@5`, `recall@100`, `hit@10`.
    public var name: String {
        let base = kind == .precision ? "p" : kind.rawValue
        return cutoff.map { "\(base)@\($0)" } ?? base
    }

    /// The canonical name (`name`).
    public var description: String { name }

    /// The trec_eval / pytrec_eval measure this metric equals, where there is one
    /// (`mrr@k` has none: it is `recip_rank` over the ranking cut to k).
    public var trecEvalName: String? {
        switch (kind, cutoff) {
        case (.ndcg, nil): "ndcg"
        case (.ndcg, let k?): "ndcg_cut_\(k)"
        case (.mrr, nil): "recip_rank"
        case (.mrr, _): nil
        case (.map, nil): "map"
        case (.map, let k?): "map_cut_\(k)"
        case (.precision, let k): "P_\(k ?? 0)"
        case (.recall, let k): "recall_\(k ?? 0)"
        case (.hit, let k): "success_\(k ?? 0)"
        }
    }

    /// Parses one metric, case-insensitively: `ndcg@10`, `ndcg`, `mrr@10`, `mrr`, `map`,
    /// `map@100`, `p@5` (or `precision@5`), `recall@100`, `hit@10` (or `success@10`), and the
    /// trec_eval names `ndcg_cut_10`, `recip_rank`, `map_cut_100`, `P_5`, `recall_100`,
    /// `success_10` (a `.` for the `_` before the cutoff works too).
    public init(parsing text: String) throws {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let base: String
        let k: String?
        if let at = s.firstIndex(of: "@") {
            base = String(s[..<at])
            k = String(s[s.index(after: at)...])
        } else if let sep = s.lastIndex(where: { $0 == "_" || $0 == "." }),
                  s[s.index(after: sep)...].allSatisfy(\.isNumber), s.index(after: sep) < s.endIndex
        {
            base = String(s[..<sep])
            k = String(s[s.index(after: sep)...])
        } else {
            base = s
            k = nil
        }
        let kinds: [String: Kind] = [
            "ndcg": .ndcg, "ndcg_cut": .ndcg, "mrr": .mrr, "recip_rank": .mrr, "map": .map, "map_cut": .map,
            "p": .precision, "precision": .precision, "recall": .recall, "hit": .hit, "success": .hit,
        ]
        guard let kind = kinds[base] else {
            throw LLMRankError(.invalidInput, "unknown metric '\(text)'; use ndcg@k, mrr@k, map, map@k, p@k, recall@k, hit@k")
        }
        var cutoff: Int?
        if let k {
            guard let n = Int(k), n > 0 else {
                throw LLMRankError(.invalidInput, "metric '\(text)': the cutoff must be a positive integer")
            }
            cutoff = n
        }
        if base == "recip_rank", cutoff != nil {
            throw LLMRankError(.invalidInput, "metric '\(text)': recip_rank has no cutoff; use mrr@k")
        }
        if cutoff == nil, [Kind.precision, .recall, .hit].contains(kind) || base == "ndcg_cut" || base == "map_cut" {
            throw LLMRankError(.invalidInput, "metric '\(text)' needs a cutoff, e.g. \(Metric(kind, cutoff: 10).name)")
        }
        self.init(kind, cutoff: cutoff)
    }

    /// Parses a comma-separated list (`ndcg@10,mrr@10,map`). Repeats are kept once; an empty list
    /// or a bad item is an error naming the item.
    public static func parseList(_ text: String) throws -> [Metric] {
        var out: [Metric] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw LLMRankError(.invalidInput, "empty item in metric list '\(text)'")
            }
            let m = try Metric(parsing: trimmed)
            if !out.contains(m) { out.append(m) }
        }
        return out
    }

    /// The metric's value for one query. `ranking` is best first; `judgments` maps document ids to
    /// grades (absent = unjudged = not relevant).
    public func value(ranking: [String], judgments: [String: Int], relThreshold: Int = 1) -> Double {
        let threshold = max(0, relThreshold)
        var seen = Set<String>()
        // Grade per rank; a repeated id is unjudged at its later ranks.
        let grades: [Int?] = ranking.map { id in seen.insert(id).inserted ? judgments[id] : nil }
        let top = cutoff.map { Array(grades.prefix($0)) } ?? grades
        func isRelevant(_ g: Int?) -> Bool { g.map { $0 >= threshold } ?? false }
        let numRelevant = judgments.values.filter { $0 >= threshold }.count

        switch kind {
        case .ndcg:
            let dcg = Self.dcg(top.map { Double(max(0, $0 ?? 0)) })
            var ideal = judgments.values.filter { $0 > 0 }.sorted(by: >)
            if let k = cutoff { ideal = Array(ideal.prefix(k)) }
            let idcg = Self.dcg(ideal.map(Double.init))
            return idcg > 0 ? dcg / idcg : 0
        case .mrr:
            guard let i = top.firstIndex(where: isRelevant) else { return 0 }
            return 1 / Double(i + 1)
        case .map:
            guard numRelevant > 0 else { return 0 }
            var found = 0
            var sum = 0.0
            for (i, g) in top.enumerated() where isRelevant(g) {
                found += 1
                sum += Double(found) / Double(i + 1)
            }
            return sum / Double(numRelevant)
        case .precision:
            let k = cutoff ?? max(1, ranking.count)
            return Double(top.filter(isRelevant).count) / Double(k)
        case .recall:
            guard numRelevant > 0 else { return 0 }
            return Double(top.filter(isRelevant).count) / Double(numRelevant)
        case .hit:
            return top.contains(where: isRelevant) ? 1 : 0
        }
    }

    /// Discounted cumulative gain: gain / log2(rank + 1), rank 1-based (rank 1 undiscounted).
    static func dcg(_ gains: [Double]) -> Double {
        var sum = 0.0
        for (i, g) in gains.enumerated() where g > 0 {
            sum += i == 0 ? g : g / log2(Double(i + 2))
        }
        return sum
    }
}
