import Foundation
import Logging
import Synchronization

/// `llmrank tune`: chooses a pipeline on the user's labelled queries. It plans the calls
/// (`plan(queries:qrels:)`), runs the encoder once and each method once over its deepest
/// prefilter (the judgment store shares every judgment between the candidates that need it), scores
/// every candidate per query, chooses by k-fold cross-validation, and replaces the encoder alone
/// with an LLM candidate only when the held-out gain is significant (a paired randomization test).
///
/// ```swift
/// let tuner = Tuner(base: try ProfileLibrary.named("local"), options: TuneOptions(folds: 5))
/// let plan = try await tuner.plan(queries: queries, qrels: qrels)
/// let outcome = try await tuner.run(plan, qrels: qrels)
/// try outcome.profileYAML().write(toFile: "tuned.yaml", atomically: true, encoding: .utf8)
/// ```
public struct Tuner: Sendable {
    /// The profile candidates start from: endpoint, encoder model, judge options, cache, depth.
    public var base: RerankerConfiguration
    /// What is tried and how the choice is made.
    public var options: TuneOptions

    /// A tuner over `base` with `options`.
    public init(base: RerankerConfiguration, options: TuneOptions = TuneOptions()) {
        self.base = base
        self.options = options
    }

    /// Runs `plan`: every query through the encoder, then every method pass; `progress` gets
    /// (done, total) query passes. Judgments already in the store are not paid again, so a killed
    /// tune resumes where it stopped.
    public func run(_ plan: TunePlan, qrels: Qrels, environment: [String: String] = ProcessInfo.processInfo.environment,
                    logger: Logger = Logger(label: "llmrank"),
                    progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> TuneOutcome
    {
        let queries = plan.queries
        let total = queries.count * (1 + plan.passes.map(\.prefilters.count).reduce(0, +))
        let counter = ProgressCounter(total: total, report: progress)
        let concurrency = options.queryConcurrency

        // The encoder alone, once: its order is every candidate's prefilter.
        var encoderConfig = TuneCandidate.encoderOnly.configuration(base: base)
        encoderConfig.topN = nil
        let work = queries.map { (query: $0.query, list: $0.list) }
        let encoded = try await Reranker.with(encoderConfig, environment: environment, logger: logger) { reranker in
            try await reranker.rerank(work, concurrency: concurrency) { _ in counter.advance() }
        }
        let encoderName = encoded.first?.trace.stages.last?.stage ?? "encoder"
        let encoderSeconds = encoded.map { $0.trace.stages.map(\.duration.seconds).reduce(0, +) }.mean

        var rankings: [TuneCandidate: [[String]]] = [.encoderOnly: encoded.map(\.list.ids)]
        var usage: [TuneCandidate: CandidateUsage] = [.encoderOnly: CandidateUsage(seconds: encoderSeconds)]
        for pass in plan.passes {
            var judgeConfig = base
            judgeConfig.encoder = nil
            judgeConfig.fusion = nil
            judgeConfig.depth = nil
            judgeConfig.topN = nil
            judgeConfig.judge = TuneCandidate.judge(method: pass.method, base: base.judge)
            let passStart = ContinuousClock.now
            let judged = try await Reranker.with(judgeConfig, environment: environment, logger: logger) { reranker in
                var byDepth: [Int: [RerankResult]] = [:]
                for k in pass.prefilters {
                    let heads = zip(queries, encoded).map { (query: $0.query, list: $1.list.top(k)) }
                    byDepth[k] = try await reranker.rerank(heads, concurrency: concurrency) { _ in counter.advance() }
                }
                return byDepth
            }
            // Wall time per paid call, at this run's concurrency: what a call costs as deployed.
            let paid = judged.values.map { $0.map(\.trace.paidCalls).reduce(0, +) }.reduce(0, +)
            let latency = paid == 0 ? nil : (ContinuousClock.now - passStart).seconds / Double(paid)
            for candidate in plan.candidates where candidate.method == pass.method {
                guard let k = candidate.prefilter, let results = judged[k] else { continue }
                var lists: [[String]] = []
                for (i, result) in results.enumerated() {
                    var head = result.list
                    if let fusion = candidate.fusion {
                        let judgeName = result.trace.stages.last?.stage ?? pass.method.rawValue
                        head = try await fusion.stage(encoder: encoderName, judge: judgeName)
                            .rerank(query: queries[i].query, list: head, context: StageContext(budget: nil))
                    }
                    lists.append(head.ids + encoded[i].list.ids.dropFirst(head.count))
                }
                rankings[candidate] = lists
                let calls = results.map { Double($0.trace.calls.count) }.mean
                let tokens = results.map { Double($0.trace.calls.map(\.usage.totalTokens).reduce(0, +)) }.mean
                usage[candidate] = CandidateUsage(calls: calls, tokens: tokens,
                                                  seconds: latency.map { encoderSeconds + $0 * calls } ?? encoderSeconds,
                                                  measuredSeconds: latency != nil)
            }
        }
        return choose(plan: plan, qrels: qrels, rankings: rankings, usage: usage)
    }

    /// Scores every candidate per query, runs the cross-validation and the significance test, and
    /// decides.
    func choose(plan: TunePlan, qrels: Qrels, rankings: [TuneCandidate: [[String]]], usage: [TuneCandidate: CandidateUsage]) -> TuneOutcome
    {
        let queries = plan.queries
        let evalOptions = EvalOptions(relThreshold: options.relThreshold)
        // Cheapest first among the LLM candidates, so ties in the selection go to the cheaper one.
        let llm = plan.candidates.filter(\.usesLLM).filter { rankings[$0] != nil }.enumerated()
            .sorted { (usage[$0.element]?.tokens ?? 0, $0.offset) < (usage[$1.element]?.tokens ?? 0, $1.offset) }.map(\.element)
        let ordered = [TuneCandidate.encoderOnly] + llm
        let scores: [[Double]] = ordered.map { c in
            let run = zip(queries, rankings[c]!).map { (queryID: $0.query.id, ranking: $1) }
            let evaluation = Evaluation(run: run, qrels: qrels, metrics: [options.objective], options: evalOptions)
            return evaluation.perQuery.map { $0.values[options.objective] ?? 0 }
        }
        let cv = CrossValidation(count: queries.count, folds: options.folds, seed: options.seed)
        let rows = ordered.enumerated().map { i, c in
            let folds = cv.foldMeans(scores[i])
            let u = usage[c] ?? CandidateUsage()
            return TuneOutcome.Row(candidate: c, mean: scores[i].mean, foldMeans: folds, spread: folds.standardDeviation,
                                   calls: u.calls, tokens: u.tokens, seconds: u.seconds, estimate: plan.estimates[c] ?? TuneCost(),
                                   perQuery: scores[i])
        }
        var evidence = TuneOutcome.Evidence(queries: queries.count, folds: options.folds, seed: options.seed,
                                            objective: options.objective.name, encoderMean: scores[0].mean,
                                            permutations: options.permutations, alpha: options.alpha)
        var chosen = TuneCandidate.encoderOnly
        if !llm.isEmpty {
            let indices = Array(1..<ordered.count)
            let heldOut = cv.heldOut(scores, candidates: indices)
            let best = CrossValidation.best(scores, candidates: indices, on: Array(queries.indices))
            let test = PairedRandomizationTest(heldOut.perQuery, scores[0], permutations: options.permutations, seed: options.seed)
            evidence.bestLLM = ordered[best].name
            evidence.bestLLMInSample = scores[best].mean
            evidence.llmHeldOut = heldOut.perQuery.mean
            evidence.foldChoices = heldOut.chosen.map { ordered[$0].name }
            evidence.pValue = test.pValue
            evidence.meanDifference = test.meanDifference
            if test.meanDifference > 0, test.pValue < options.alpha {
                chosen = ordered[best]
                evidence.reason = String(format: "%@ beats the encoder alone on held-out queries by %+.4f %@ (p = %.4f < %.2f)",
                                         chosen.name, test.meanDifference, options.objective.name, test.pValue, options.alpha)
            } else if test.meanDifference <= 0 {
                evidence.reason = String(format: "no LLM candidate beats the encoder alone on held-out queries (%+.4f %@, p = %.4f): the encoder alone is kept",
                                         test.meanDifference, options.objective.name, test.pValue)
            } else {
                evidence.reason = String(format: "the best LLM candidate's held-out gain (%+.4f %@) is not significant (p = %.4f >= %.2f): the cheaper encoder alone is kept",
                                         test.meanDifference, options.objective.name, test.pValue, options.alpha)
            }
        } else {
            evidence.reason = "no LLM candidate was tried: the encoder alone"
        }
        evidence.chosenHeldOut = chosen.usesLLM ? (evidence.llmHeldOut ?? 0) : scores[0].mean
        let frontier = ParetoFrontier(points: rows.map { (cost: $0.tokens, quality: $0.mean) })
        return TuneOutcome(rows: rows, chosen: chosen, configuration: chosen.configuration(base: base), evidence: evidence,
                           frontier: frontier.indices.map { rows[$0].candidate }, options: options, plan: plan)
    }
}

/// What a candidate cost per query in the tune run.
struct CandidateUsage: Sendable {
    var calls = 0.0
    var tokens = 0.0
    var seconds = 0.0
    var measuredSeconds = true
}

/// Counts query passes done and forwards them to a progress callback.
final class ProgressCounter: Sendable {
    private let total: Int
    private let report: (@Sendable (Int, Int) -> Void)?
    private let done = Mutex(0)

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    func advance() {
        let n = done.withLock { value -> Int in
            value += 1
            return value
        }
        report?(n, total)
    }
}
