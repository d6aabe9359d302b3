/// How a run is evaluated.
public struct EvalOptions: Sendable, Hashable {
    /// The lowest grade that counts as relevant for the binary metrics (mrr, map, p, recall, hit);
    /// trec_eval's `-l`, pytrec_eval's `relevance_level`. NDCG uses the grades themselves. Values
    /// below 0 act as 0.
    public var relThreshold: Int
    /// Average over every query of the qrels, a query the run lacks counting 0 for every metric
    /// (trec_eval `-c`). Off by default: the mean is over the queries in both run and qrels.
    public var completeQueries: Bool

    /// Options with trec_eval's defaults: relevant from grade 1, mean over the queries run and qrels share.
    public init(relThreshold: Int = 1, completeQueries: Bool = false) {
        self.relThreshold = relThreshold
        self.completeQueries = completeQueries
    }
}

/// Metric values of a run against qrels: per query and the mean over queries.
///
/// Which queries count follows trec_eval (and pytrec_eval): a query of the run is evaluated when
/// the qrels have it, also when its ranking is empty (every metric 0) or it has no relevant
/// document (recall, map and ndcg are then 0); a run query the qrels lack is skipped and listed
/// in `unjudgedQueries`. Qrels queries the run lacks are listed in `missingQueries` and, with
/// `completeQueries`, evaluated as empty rankings.
public struct Evaluation: Sendable, Hashable {
    /// The metric values of one evaluated query.
    public struct QueryResult: Sendable, Hashable {
        /// The query's id.
        public var queryID: String
        /// The value of each metric for this query.
        public var values: [Metric: Double]
    }

    /// The metrics computed, in the order asked for.
    public var metrics: [Metric]
    /// The options the run was evaluated with.
    public var options: EvalOptions
    /// The evaluated queries in run order (then, with `completeQueries`, the missing ones in id
    /// order).
    public var perQuery: [QueryResult]
    /// The mean of each metric over `perQuery`; 0 when no query was evaluated.
    public var mean: [Metric: Double]
    /// Run queries without judgments (skipped).
    public var unjudgedQueries: [String]
    /// Qrels queries not in the run (0 with `completeQueries`, else skipped).
    public var missingQueries: [String]

    /// Evaluates rankings (document ids, best first, one per query id; a repeated query id keeps
    /// its first ranking) against `qrels`.
    public init(run: [(queryID: String, ranking: [String])], qrels: Qrels, metrics: [Metric],
                options: EvalOptions = EvalOptions())
    {
        var seen = Set<String>()
        var perQuery: [QueryResult] = []
        var unjudged: [String] = []
        func evaluate(_ qid: String, _ ranking: [String], _ judgments: [String: Int]) -> QueryResult {
            QueryResult(queryID: qid, values: Dictionary(uniqueKeysWithValues: metrics.map {
                ($0, $0.value(ranking: ranking, judgments: judgments, relThreshold: options.relThreshold))
            }))
        }
        for (qid, ranking) in run where seen.insert(qid).inserted {
            guard let judgments = qrels[qid] else {
                unjudged.append(qid)
                continue
            }
            perQuery.append(evaluate(qid, ranking, judgments))
        }
        let missing = qrels.queryIDs.filter { !seen.contains($0) }
        if options.completeQueries {
            for qid in missing { perQuery.append(evaluate(qid, [], qrels[qid] ?? [:])) }
        }
        self.init(metrics: metrics, options: options, perQuery: perQuery, unjudged: unjudged, missing: missing)
    }

    /// An evaluation of per-query values computed before (a merge of shard reports): the mean of
    /// each metric is taken over `perQuery` in its order, as for a run evaluated here.
    public init(metrics: [Metric], options: EvalOptions, perQuery: [QueryResult], unjudged: [String], missing: [String]) {
        self.metrics = metrics
        self.options = options
        self.perQuery = perQuery
        self.unjudgedQueries = unjudged
        self.missingQueries = missing
        var mean: [Metric: Double] = [:]
        for m in metrics {
            let values = perQuery.map { $0.values[m] ?? 0 }
            mean[m] = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        }
        self.mean = mean
    }

    /// Evaluates the input order of `queries` (or a reranked order the caller put there).
    public init(queries: [EvalQuery], qrels: Qrels, metrics: [Metric], options: EvalOptions = EvalOptions()) {
        self.init(run: queries.map { (queryID: $0.query.id, ranking: $0.ids) }, qrels: qrels, metrics: metrics,
                  options: options)
    }

    /// Evaluates ranked lists (a pipeline's output) by query id.
    public init(lists: [(queryID: String, list: RankedList)], qrels: Qrels, metrics: [Metric],
                options: EvalOptions = EvalOptions())
    {
        self.init(run: lists.map { (queryID: $0.queryID, ranking: $0.list.ids) }, qrels: qrels, metrics: metrics,
                  options: options)
    }

    /// Number of queries the mean is over.
    public var queryCount: Int { perQuery.count }
}

extension Evaluation {
    /// The evaluation as JSON (for `--json`): `{"metrics": [names], "mean": {name: value},
    /// "queries": n, "per_query": {qid: {name: value}}, "unjudged_queries": [...],
    /// "missing_queries": [...], "rel_threshold": t, "complete_queries": bool}`.
    public var jsonValue: JSONValue {
        func values(_ v: [Metric: Double]) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, JSONValue.number(v[$0] ?? 0)) }))
        }
        return .object([
            "metrics": .array(metrics.map { .string($0.name) }),
            "mean": values(mean),
            "queries": .number(Double(queryCount)),
            "per_query": .object(Dictionary(perQuery.map { ($0.queryID, values($0.values)) }, uniquingKeysWith: { a, _ in a })),
            "unjudged_queries": .array(unjudgedQueries.map { .string($0) }),
            "missing_queries": .array(missingQueries.map { .string($0) }),
            "rel_threshold": .number(Double(options.relThreshold)),
            "complete_queries": .bool(options.completeQueries),
        ])
    }

    /// trec_eval-style text: one `metric<TAB>all<TAB>value` line per metric (4 decimals, as
    /// trec_eval prints), with the per-query lines (`metric<TAB>qid<TAB>value`) first when asked.
    public func table(perQuery includePerQuery: Bool = false) -> String {
        var out = ""
        if includePerQuery {
            for q in perQuery {
                for m in metrics { out += "\(m.name)\t\(q.queryID)\t\(Self.format(q.values[m] ?? 0))\n" }
            }
        }
        for m in metrics { out += "\(m.name)\tall\t\(Self.format(mean[m] ?? 0))\n" }
        return out
    }

    static func format(_ v: Double) -> String {
        // Round half away from zero at 4 decimals, without the locale.
        let scaled = (v * 10000).rounded()
        let sign = scaled < 0 ? "-" : ""
        let a = Int(abs(scaled))
        let frac = String(a % 10000)
        return "\(sign)\(a / 10000).\(String(repeating: "0", count: 4 - frac.count))\(frac)"
    }
}
