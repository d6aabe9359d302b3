import Foundation

/// What `llmrank tune` does and how it chooses.
public struct TuneOptions: Sendable {
    /// The metric candidates are compared on (per query, trec_eval's semantics).
    public var objective: Metric
    /// Folds of the cross-validation over queries (at least 2, at most the judged queries).
    public var folds: Int
    /// Seeds the fold assignment and the significance test.
    public var seed: UInt64
    /// Methods tried (each with every prefilter depth and fusion setting).
    public var methods: [JudgeMethod]
    /// Prefilter depths tried: candidates the encoder hands the judge.
    public var prefilters: [Int]
    /// Fusion settings tried; nil is "no fusion".
    public var fusions: [FusionSettings?]
    /// Candidates expected to make more LLM calls per query are left out.
    public var maxCallsPerQuery: Int?
    /// Candidates expected to spend more tokens per query are left out.
    public var maxTokensPerQuery: Int?
    /// The lowest grade that counts as relevant for binary metrics.
    public var relThreshold: Int
    /// Queries reranked at once.
    public var queryConcurrency: Int
    /// Random sign flips drawn by the significance test.
    public var permutations: Int
    /// An LLM candidate replaces the encoder only when its gain has a p-value below this.
    public var alpha: Double
    /// What the run is called in errors, the report and the profile's header (a path).
    public var runLabel: String
    /// What the qrels are called in errors, the report and the profile's header (a path).
    public var qrelsLabel: String

    /// Options; every argument has the documented default.
    public init(objective: Metric = .ndcg(10), folds: Int = 5, seed: UInt64 = 13, methods: [JudgeMethod] = JudgeMethod.allCases,
                prefilters: [Int] = TuneGrid.defaultPrefilters, fusions: [FusionSettings?] = TuneGrid.defaultFusions,
                maxCallsPerQuery: Int? = nil, maxTokensPerQuery: Int? = nil, relThreshold: Int = 1, queryConcurrency: Int = 4,
                permutations: Int = 10_000, alpha: Double = 0.05, runLabel: String = "run", qrelsLabel: String = "qrels")
    {
        self.objective = objective
        self.folds = folds
        self.seed = seed
        self.methods = methods
        self.prefilters = prefilters
        self.fusions = fusions
        self.maxCallsPerQuery = maxCallsPerQuery
        self.maxTokensPerQuery = maxTokensPerQuery
        self.relThreshold = relThreshold
        self.queryConcurrency = queryConcurrency
        self.permutations = permutations
        self.alpha = alpha
        self.runLabel = runLabel
        self.qrelsLabel = qrelsLabel
    }
}

/// The calls `llmrank tune` will make, planned before the first one: which candidates fit the
/// budget, what each is expected to cost, and the union of judgments that serves them all.
public struct TunePlan: Sendable {
    /// One method's share of the plan: the depths it is judged at and what judging them costs once.
    public struct MethodPass: Sendable, Hashable {
        /// The method.
        public var method: JudgeMethod
        /// How it spends calls (what its depths can share).
        public var shape: CallShape
        /// The depths judged, deepest first (so shallower per-document depths are cache hits).
        public var prefilters: [Int]
        /// The calls and tokens per query that pay for every depth, each judgment once.
        public var cost: TuneCost
    }

    /// The judged queries (run queries the qrels have), in run order.
    public var queries: [EvalQuery]
    /// The candidates compared: the encoder alone first, then those within the budget.
    public var candidates: [TuneCandidate]
    /// Candidates left out because their estimate exceeds the budget.
    public var excluded: [TuneCandidate]
    /// The estimated cost per query of every candidate of the grid.
    public var estimates: [TuneCandidate: TuneCost]
    /// The judging passes, one per method that has a candidate.
    public var passes: [MethodPass]

    /// Estimated LLM calls over all queries: each distinct judgment once.
    public var totalCalls: Double { passes.map(\.cost.calls).reduce(0, +) * Double(queries.count) }
    /// Estimated tokens over all queries: each distinct judgment once.
    public var totalTokens: Double { passes.map(\.cost.tokens).reduce(0, +) * Double(queries.count) }

    /// A few lines for the terminal: the candidates, the passes and the estimated total.
    public var summary: String {
        var lines = ["\(candidates.count) candidates on \(queries.count) queries"
            + (excluded.isEmpty ? "" : " (\(excluded.count) over the budget left out)")]
        for pass in passes {
            lines.append(String(format: "  %@ (%@) at depths %@: about %.1f calls and %.0f tokens a query",
                                pass.method.rawValue, pass.shape.rawValue, pass.prefilters.map(String.init).joined(separator: ", "),
                                pass.cost.calls, pass.cost.tokens))
        }
        lines.append(String(format: "estimate: %.0f LLM calls, %.0f tokens in all, each judgment paid once (cached ones are free)",
                            totalCalls, totalTokens))
        return lines.joined(separator: "\n")
    }
}

extension Tuner {
    /// Checks the input and plans the calls: no work, no call. Errors (kind `invalidInput`): empty
    /// qrels, a run that shares no query with the qrels, fewer judged queries than folds, no store
    /// to share judgments through, a budget no LLM candidate fits.
    public func plan(queries: [EvalQuery], qrels: Qrels) async throws -> TunePlan {
        if qrels.count == 0 { throw LLMRankError(.invalidInput, "\(options.qrelsLabel): the qrels have no judgments") }
        let judged = queries.filter { qrels[$0.query.id] != nil }
        if judged.isEmpty {
            throw LLMRankError(.invalidInput, "\(options.runLabel): none of its \(queries.count) queries is in \(options.qrelsLabel) "
                + "(\(qrels.queryIDs.count) queries there): nothing to tune on")
        }
        if options.folds < 2 { throw LLMRankError(.invalidInput, "folds: at least 2, got \(options.folds)") }
        if judged.count < options.folds {
            throw LLMRankError(.invalidInput, "folds: \(options.folds) folds need at least \(options.folds) judged queries; "
                + "\(options.runLabel) has \(judged.count) in \(options.qrelsLabel)")
        }
        if case .none = base.store, !options.methods.isEmpty {
            throw LLMRankError(.invalidInput, "cache: none: tune shares judgments between candidates through the judgment store")
        }
        let grid = TuneGrid.candidates(methods: options.methods, prefilters: options.prefilters, fusions: options.fusions)
        var estimates: [TuneCandidate: TuneCost] = [.encoderOnly: TuneCost()]
        var passes: [TunePlan.MethodPass] = []
        var fits: [TuneCandidate] = [.encoderOnly]
        var excluded: [TuneCandidate] = []
        for method in options.methods {
            let judge = TuneCandidate.judge(method: method, base: base.judge)
            let shape = TuneCostModel.shape(of: method)
            var costs: [Int: TuneCost] = [:]
            for k in options.prefilters { costs[k] = try await TuneCostModel.cost(judge: judge, k: k, queries: judged) }
            var kept: Set<Int> = []
            for candidate in grid where candidate.method == method {
                let cost = costs[candidate.prefilter ?? 0] ?? TuneCost()
                estimates[candidate] = cost
                if fitsBudget(cost) {
                    fits.append(candidate)
                    kept.insert(candidate.prefilter ?? 0)
                } else {
                    excluded.append(candidate)
                }
            }
            guard !kept.isEmpty else { continue }
            passes.append(TunePlan.MethodPass(method: method, shape: shape, prefilters: kept.sorted(by: >),
                                              cost: TuneCostModel.union(shape: shape, costs: costs.filter { kept.contains($0.key) })))
        }
        if fits.count == 1, let cheapest = excluded.min(by: { estimates[$0]!.tokens < estimates[$1]!.tokens }) {
            let cost = estimates[cheapest]!
            throw LLMRankError(.invalidInput, "budget: no LLM candidate fits \(budgetText); the cheapest, \(cheapest.name), "
                + String(format: "needs about %.0f calls and %.0f tokens a query", cost.calls, cost.tokens))
        }
        return TunePlan(queries: judged, candidates: fits, excluded: excluded, estimates: estimates, passes: passes)
    }

    func fitsBudget(_ cost: TuneCost) -> Bool {
        if let max = options.maxCallsPerQuery, cost.calls > Double(max) { return false }
        if let max = options.maxTokensPerQuery, cost.tokens > Double(max) { return false }
        return true
    }

    var budgetText: String {
        [options.maxCallsPerQuery.map { "\($0) calls" }, options.maxTokensPerQuery.map { "\($0) tokens" }]
            .compactMap { $0 }.joined(separator: " and ") + " a query"
    }
}
