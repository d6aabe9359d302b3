import Foundation

/// An evaluation written to a file (`llmrank eval --report`), so that shards evaluated by separate
/// processes or machines merge into the evaluation of the whole (`llmrank eval --merge`).
///
/// It keeps each query's metric values and its position in the run, not only the means: merging
/// puts the queries of every shard back in run order and takes the means exactly as one process
/// would, so a merged report equals the single-process report to the last bit.
public struct EvalReport: Sendable, Hashable, Codable {
    /// The `format` this version writes and reads.
    public static let currentFormat = "llmrank-eval-report/1"

    /// One query's metric values, by metric name, and where the query stood in the run.
    public struct QueryValues: Sendable, Hashable, Codable {
        /// The query's id.
        public var queryID: String
        /// 0-based position of the query in the whole run (before sharding).
        public var position: Int
        /// Metric name to value.
        public var values: [String: Double]

        enum CodingKeys: String, CodingKey {
            case queryID = "qid", position, values
        }
    }

    /// What reranking cost, summed over the report's queries (absent when the run was evaluated as
    /// given).
    public struct Totals: Sendable, Hashable, Codable {
        /// Calls that reached the endpoint.
        public var calls = 0
        /// Calls answered from the judgment store.
        public var cacheHits = 0
        /// Prompt tokens of the paid calls.
        public var promptTokens = 0
        /// Of those, tokens the endpoint served from its prompt cache.
        public var cachedPromptTokens = 0
        /// Completion tokens of the paid calls.
        public var completionTokens = 0
        /// Attempts beyond the first.
        public var retries = 0
        /// Repair requests.
        public var repairs = 0
        /// Documents with a fallback, endpoint-failed or budget-exhausted flag.
        public var fallbacks = 0
        /// Wall seconds (summed over merged shards: the work, not the elapsed time).
        public var seconds = 0.0

        /// Zero totals.
        public init() {}

        static func + (a: Totals, b: Totals) -> Totals {
            var t = a
            t.calls += b.calls
            t.cacheHits += b.cacheHits
            t.promptTokens += b.promptTokens
            t.cachedPromptTokens += b.cachedPromptTokens
            t.completionTokens += b.completionTokens
            t.retries += b.retries
            t.repairs += b.repairs
            t.fallbacks += b.fallbacks
            t.seconds += b.seconds
            return t
        }

        enum CodingKeys: String, CodingKey {
            case calls, cacheHits = "cache_hits", promptTokens = "prompt_tokens",
                 cachedPromptTokens = "cached_prompt_tokens", completionTokens = "completion_tokens",
                 retries, repairs, fallbacks, seconds
        }
    }

    /// `currentFormat` when written by this version.
    public var format: String
    /// The shard this report covers; nil for a whole run (or a merge of every shard).
    public var shard: QueryShard?
    /// Metric names, in the order asked for.
    public var metrics: [String]
    /// The lowest relevant grade the binary metrics used.
    public var relThreshold: Int
    /// The run as given, per evaluated query, in run order.
    public var input: [QueryValues]
    /// The reranked run, per evaluated query, in run order; nil when nothing was reranked.
    public var reranked: [QueryValues]?
    /// Mean of each metric over `input` (for readers; recomputed on merge).
    public var inputMean: [String: Double]
    /// Mean of each metric over `reranked`.
    public var rerankedMean: [String: Double]?
    /// Run queries without judgments (skipped), as query values with no values.
    public var unjudgedQueries: [QueryValues]
    /// Qrels queries of this shard that the run lacks, sorted.
    public var missingQueries: [String]
    /// What reranking cost.
    public var totals: Totals?

    enum CodingKeys: String, CodingKey {
        case format, shard, metrics, relThreshold = "rel_threshold", input, reranked, inputMean = "input_mean",
             rerankedMean = "reranked_mean", unjudgedQueries = "unjudged_queries", missingQueries = "missing_queries",
             totals
    }

    /// The report of `input` (and `reranked`) over the queries of `shard` (nil: all).
    /// `positions` maps each query id to its position in the whole run.
    public init(input: Evaluation, reranked: Evaluation?, positions: [String: Int], shard: QueryShard?,
                totals: Totals?)
    {
        func rows(_ e: Evaluation) -> [QueryValues] {
            e.perQuery.map { q in
                QueryValues(queryID: q.queryID, position: positions[q.queryID] ?? Int.max,
                            values: Dictionary(uniqueKeysWithValues: e.metrics.map { ($0.name, q.values[$0] ?? 0) }))
            }
        }
        format = Self.currentFormat
        self.shard = shard
        let names = input.metrics.map(\.name)
        metrics = names
        relThreshold = input.options.relThreshold
        self.input = rows(input)
        self.reranked = reranked.map(rows)
        inputMean = Self.means(self.input, metrics: names)
        rerankedMean = self.reranked.map { Self.means($0, metrics: names) }
        unjudgedQueries = input.unjudgedQueries.map { QueryValues(queryID: $0, position: positions[$0] ?? Int.max, values: [:]) }
        missingQueries = input.missingQueries.filter { shard?.contains($0) ?? true }
        self.totals = totals
    }

    /// The evaluation of the run as given.
    public func inputEvaluation() throws -> Evaluation {
        try evaluation(of: input)
    }

    /// The evaluation of the reranked run, if there was one.
    public func rerankedEvaluation() throws -> Evaluation? {
        try reranked.map { try evaluation(of: $0) }
    }

    private func evaluation(of rows: [QueryValues]) throws -> Evaluation {
        let parsed = try metrics.map { try Metric(parsing: $0) }
        let perQuery = rows.map { row in
            Evaluation.QueryResult(queryID: row.queryID, values: Dictionary(uniqueKeysWithValues: zip(parsed, metrics).map {
                ($0, row.values[$1] ?? 0)
            }))
        }
        return Evaluation(metrics: parsed, options: EvalOptions(relThreshold: relThreshold), perQuery: perQuery,
                          unjudged: unjudgedQueries.map(\.queryID), missing: missingQueries)
    }

    /// Each metric's mean over `rows`, summed in their order (as `Evaluation` does).
    static func means(_ rows: [QueryValues], metrics: [String]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: metrics.map { m in
            (m, rows.isEmpty ? 0 : rows.map { $0.values[m] ?? 0 }.reduce(0, +) / Double(rows.count))
        })
    }
}
