import ArgumentParser
import Foundation
import LLMRank
import Synchronization

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a run against qrels, as given or reranked by a pipeline.",
        discussion: """
            Runs: rank_llm JSON ([{"query", "hits": [{"qid", "docid", "content", "score"}]}]) or a TREC run with
            --corpus and --topics. Qrels: TREC (qid 0 docid grade) or JSON {qid: {docid: grade}}.
            With no --method, --prompt or --prefilter the run is evaluated as given; otherwise every query is
            reranked and both the input and the reranked lists are reported. Judgments are cached, so a
            killed run resumes where it stopped.
            """
    )

    @Option(help: "Metrics, comma-separated: ndcg@k, mrr@k, map, map@k, p@k, recall@k, hit@k.")
    var metrics: String = "ndcg@10,mrr@10,map,p@5,recall@20,hit@10"

    @Option(help: "Write the reranked run here in TREC format.")
    var output: String?

    @ArgumentParser.Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var data: RunOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    var reranks: Bool {
        pipeline.profile != nil || pipeline.method != nil || pipeline.prompt != nil || pipeline.prefilter != nil
    }

    func validate() throws {
        try pipeline.requireOneProfile()
    }

    func run() async throws {
        let logger = logging.makeLogger()
        let metricList = try Metric.parseList(metrics)
        let configuration = reranks ? try pipeline.configuration(endpoint: endpoint, depth: data.depth) : nil
        let queries = try data.queries()
        let judgments = try data.judgments()
        let options = EvalOptions(relThreshold: data.relThreshold)
        let input = Evaluation(queries: queries, qrels: judgments, metrics: metricList, options: options)

        guard let configuration else {
            if json {
                print(try JSONOutput.string(JSONValue.object(["queries": .number(Double(input.queryCount)),
                                                               "input": input.meanJSON]), pretty: true))
            } else {
                print(input.table(), terminator: "")
            }
            return
        }

        // Everything that could refuse the output is checked before the first paid call.
        if let output {
            _ = try TRECRunWriter.format(queries: queries)
            try TRECRunWriter.write([], to: output)
        }
        let start = ContinuousClock.now
        let progress = Progress(total: queries.count)
        let work = queries.map { (query: $0.query, list: $0.list) }
        let concurrency = data.queryConcurrency
        let logging = self.logging
        let (results, effective) = try await Reranker.with(configuration, logger: logger) { reranker in
            logging.show(reranker)
            let results = try await reranker.rerank(work, concurrency: concurrency) { _ in progress.advance() }
            return (results, reranker.configuration)
        }
        progress.finish()
        let lists = zip(queries, results).map { (queryID: $0.query.id, list: $1.list) }
        let reranked = Evaluation(lists: lists, qrels: judgments, metrics: metricList, options: options)
        let summary = RunSummary(results: results, wall: ContinuousClock.now - start)
        if let output { try TRECRunWriter.write(lists, to: output) }
        try Strictness.enforce(summary, strict: pipeline.strict)
        let n = Double(max(1, queries.count))
        if json {
            var object: [String: JSONValue] = [
                "queries": .number(Double(reranked.queryCount)),
                "input": input.meanJSON,
                "reranked": reranked.meanJSON,
                "usage": ["calls": .number(Double(summary.calls)), "cache_hits": .number(Double(summary.cacheHits)),
                          "prompt_tokens": .number(Double(summary.usage.promptTokens)),
                          "cached_prompt_tokens": .number(Double(summary.usage.cachedPromptTokens)),
                          "completion_tokens": .number(Double(summary.usage.completionTokens)),
                          "retries": .number(Double(summary.retries)), "repairs": .number(Double(summary.repairs))],
                "per_query": ["calls": .number(Double(summary.calls + summary.cacheHits) / n),
                              "tokens": .number(Double(summary.usage.totalTokens) / n),
                              "seconds": .number(summary.seconds / n)],
                "flags": .object(summary.flags.mapValues { .number(Double($0)) }),
                "fallbacks": .number(Double(summary.fallbacks)),
            ]
            if let encoder = effective.encoder {
                object["encoder"] = ["model": .string(encoder.model), "precision": .string(encoder.precision.rawValue)]
            }
            print(try JSONOutput.string(JSONValue.object(object), pretty: true))
        } else {
            print("metric       input     reranked")
            for m in metricList {
                print(String(format: "%@ %8.4f %12.4f", ResultPrinter.pad(m.name, 10), input.mean[m] ?? 0, reranked.mean[m] ?? 0))
            }
            print("queries \(reranked.queryCount); per query: \(String(format: "%.1f", Double(summary.calls + summary.cacheHits) / n)) calls, "
                + "\(Int(Double(summary.usage.totalTokens) / n)) tokens, \(String(format: "%.2f", summary.seconds / n)) s")
            if let encoder = effective.encoder { print("encoder \(encoder.model), \(encoder.precision.rawValue)") }
        }
        printError(summary.line)
    }
}

extension Evaluation {
    var meanJSON: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, JSONValue.number(mean[$0] ?? 0)) }))
    }
}

/// A progress bar with an ETA on stderr, drawn only when stderr is a terminal.
final class Progress: Sendable {
    private struct State {
        var done = 0
    }

    private let total: Int
    private let unit: String
    private let state = Mutex(State())
    private let start = ContinuousClock.now
    private let enabled = isatty(STDERR_FILENO) == 1

    init(total: Int, unit: String = "queries") {
        self.total = total
        self.unit = unit
    }

    func advance() {
        let done = state.withLock { s -> Int in
            s.done += 1
            return s.done
        }
        advance(done: done, total: total)
    }

    /// Draws `done` of `total` (a caller that counts for itself).
    func advance(done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        let elapsed = Double((ContinuousClock.now - start).milliseconds) / 1000
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        Output.write(String(format: "\r[%@] %d/%d %@, ETA %.0f s ", bar, done, total, unit, eta), to: STDERR_FILENO)
    }

    func finish() {
        if enabled { Output.write("\n", to: STDERR_FILENO) }
    }
}
