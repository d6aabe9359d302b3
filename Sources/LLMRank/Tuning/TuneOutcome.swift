import Foundation

/// What `llmrank tune` found: every candidate's scores and costs, the evidence for the choice, and
/// the chosen profile.
public struct TuneOutcome: Sendable {
    /// One candidate's result.
    public struct Row: Sendable, Hashable {
        /// The candidate.
        public var candidate: TuneCandidate
        /// The objective's mean over all queries (in-sample).
        public var mean: Double
        /// The objective's mean over each fold's queries.
        public var foldMeans: [Double]
        /// The standard deviation of `foldMeans`.
        public var spread: Double
        /// LLM calls per query (cache hits included: what the profile costs when run fresh).
        public var calls: Double
        /// Tokens per query (cache hits included).
        public var tokens: Double
        /// Seconds per query: the encoder's measured time plus the method pass's wall time per
        /// paid call (at the run's concurrency) times its calls; a method whose calls were all
        /// cache hits gets the encoder's time only.
        public var seconds: Double
        /// The cost estimated before the run.
        public var estimate: TuneCost
        /// The objective per judged query, in run order.
        public var perQuery: [Double]
    }

    /// The figures behind the choice.
    public struct Evidence: Sendable, Hashable {
        /// Judged queries tuned on.
        public var queries: Int
        /// Folds of the cross-validation.
        public var folds: Int
        /// The seed of the folds and the test.
        public var seed: UInt64
        /// The objective's name (`ndcg@10`).
        public var objective: String
        /// The encoder alone's mean (it involves no choice, so this is also its held-out score).
        public var encoderMean: Double
        /// Random sign flips of the test.
        public var permutations: Int
        /// The significance level.
        public var alpha: Double
        /// The LLM candidate the choosing picks on all queries; nil when none was tried.
        public var bestLLM: String?
        /// Its in-sample mean.
        public var bestLLMInSample: Double?
        /// The held-out mean of choosing among the LLM candidates (cross-validated).
        public var llmHeldOut: Double?
        /// The LLM candidate chosen in each fold.
        public var foldChoices: [String] = []
        /// The p-value of the held-out LLM scores against the encoder's, per query.
        public var pValue: Double?
        /// The mean per-query difference (held-out LLM - encoder).
        public var meanDifference: Double?
        /// The held-out estimate of the chosen candidate.
        public var chosenHeldOut: Double = 0
        /// Why the choice was made, in one sentence.
        public var reason: String = ""
    }

    /// Every candidate compared: the encoder alone first, then the LLM candidates cheapest first.
    public var rows: [Row]
    /// The chosen candidate.
    public var chosen: TuneCandidate
    /// The chosen candidate's profile.
    public var configuration: RerankerConfiguration
    /// The evidence.
    public var evidence: Evidence
    /// The Pareto frontier of mean quality against tokens, cheapest first.
    public var frontier: [TuneCandidate]
    /// The options of the run.
    public var options: TuneOptions
    /// The plan that ran.
    public var plan: TunePlan

    /// The table for stderr: candidate, mean, mean ± spread over folds, calls, tokens, seconds a query.
    public var table: String {
        let width = max(9, rows.map(\.candidate.name.count).max() ?? 9)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = [pad("candidate") + "  " + String(format: "%8@  %17@  %7@  %8@  %6@", evidence.objective, "folds mean ± sd", "calls/q", "tokens/q", "s/q")]
        for row in rows {
            let mark = row.candidate == chosen ? "  <- chosen" : frontier.contains(row.candidate) ? "  (frontier)" : ""
            lines.append(pad(row.candidate.name) + "  " + String(format: "%8.4f  %8.4f ± %6.4f  %7.1f  %8.0f  %6.2f",
                row.mean, row.foldMeans.mean, row.spread, row.calls, row.tokens, row.seconds) + mark)
        }
        return lines.joined(separator: "\n")
    }

    /// The profile file: a header comment with the evidence, then the chosen profile's YAML. It
    /// loads back with `ProfileLibrary.load(path:)`.
    public func profileYAML() throws -> String {
        var config = configuration
        config.description = chosen.usesLLM
            ? "Chosen by llmrank tune: \(chosen.name), held-out \(evidence.objective) \(Self.f(evidence.chosenHeldOut)) against \(Self.f(evidence.encoderMean)) for the encoder alone."
            : "Chosen by llmrank tune: the encoder alone; no LLM candidate beat it significantly on held-out queries."
        return headerLines.map { "# \($0)\n" }.joined() + (try ProfileLibrary.yaml(config))
    }

    /// The evidence as comment lines (without the `# `).
    public var headerLines: [String] {
        let e = evidence
        var lines = ["llmrank profile chosen by `llmrank tune` on \(options.runLabel) with \(options.qrelsLabel):",
                     "\(e.queries) judged queries, \(e.folds)-fold cross-validation over queries (seed \(e.seed)), objective \(e.objective),",
                     "\(rows.count) candidates (\(plan.excluded.count) more over the budget left out).",
                     "encoder alone: \(e.objective) \(Self.f(e.encoderMean))."]
        if let best = e.bestLLM, let held = e.llmHeldOut, let inSample = e.bestLLMInSample, let p = e.pValue {
            lines.append("best LLM candidate \(best): \(Self.f(inSample)) in-sample, \(Self.f(held)) held-out (folds chose \(e.foldChoices.joined(separator: ", "))).")
            lines.append("held-out difference to the encoder \(String(format: "%+.4f", e.meanDifference ?? 0)), p = \(String(format: "%.4f", p))"
                + " (paired randomization test, \(e.permutations) sign flips, alpha \(e.alpha)).")
        }
        lines.append("chosen: \(chosen.name), held-out \(e.objective) \(Self.f(e.chosenHeldOut)). \(e.reason).")
        return lines
    }

    static func f(_ v: Double) -> String { String(format: "%.4f", v) }

    /// The JSON report: options, the plan's estimate, every candidate, the frontier and the evidence.
    public var jsonValue: JSONValue {
        func n(_ v: Double) -> JSONValue { .number(v) }
        func opt(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }
        let candidates: [JSONValue] = rows.map { row in
            var object: [String: JSONValue] = [
                "name": .string(row.candidate.name), "mean": n(row.mean), "fold_means": .array(row.foldMeans.map(n)),
                "spread": n(row.spread), "calls_per_query": n(row.calls), "tokens_per_query": n(row.tokens),
                "seconds_per_query": n(row.seconds), "estimated_calls_per_query": n(row.estimate.calls),
                "estimated_tokens_per_query": n(row.estimate.tokens), "pareto": .bool(frontier.contains(row.candidate)),
                "chosen": .bool(row.candidate == chosen),
                "method": row.candidate.method.map { .string($0.rawValue) } ?? .string("encoder"),
            ]
            if let k = row.candidate.prefilter { object["prefilter"] = n(Double(k)) }
            if let fusion = row.candidate.fusion { object["fusion"] = .string(fusion.shortForm) }
            return .object(object)
        }
        let e = evidence
        return .object([
            "run": .string(options.runLabel), "qrels": .string(options.qrelsLabel), "queries": n(Double(e.queries)),
            "objective": .string(e.objective), "folds": n(Double(e.folds)), "seed": n(Double(e.seed)),
            "plan": ["estimated_calls": n(plan.totalCalls), "estimated_tokens": n(plan.totalTokens),
                     "excluded": .array(plan.excluded.map { .string($0.name) }),
                     "passes": .array(plan.passes.map { .object(["method": .string($0.method.rawValue), "shape": .string($0.shape.rawValue),
                                                                  "prefilters": .array($0.prefilters.map { n(Double($0)) }),
                                                                  "calls_per_query": n($0.cost.calls), "tokens_per_query": n($0.cost.tokens)]) })],
            "candidates": .array(candidates),
            "frontier": .array(frontier.map { .string($0.name) }),
            "selection": .object([
                "chosen": .string(chosen.name), "held_out": n(e.chosenHeldOut), "encoder": n(e.encoderMean),
                "best_llm": e.bestLLM.map { .string($0) } ?? .null, "best_llm_in_sample": opt(e.bestLLMInSample),
                "llm_held_out": opt(e.llmHeldOut), "fold_choices": .array(e.foldChoices.map { .string($0) }),
                "mean_difference": opt(e.meanDifference), "p_value": opt(e.pValue),
                "test": .string("paired randomization (sign flip), two-sided"), "permutations": n(Double(e.permutations)),
                "alpha": n(e.alpha), "reason": .string(e.reason),
            ]),
        ])
    }
}
