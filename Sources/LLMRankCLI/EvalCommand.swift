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
            killed run resumes where it stopped. --shard I/N evaluates one deterministic part of the queries
            (by query id); --report writes a JSON report, and --merge REPORT... gives the whole's metrics.
            """
    )

    @Option(help: "Evaluate only shard I of N of the queries (by a hash of the query id, the same on every machine).")
    var shard: String?

    @Option(help: "Write a JSON report (per-query values, means, usage) here, for --merge.")
    var report: String?

    @Option(parsing: .upToNextOption, help: "Merge these reports (every shard of one evaluation) and print the whole's metrics.")
    var merge: [String] = []

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
        if merge.isEmpty {
            try data.requireRunAndQrels(" (or --merge REPORT...)")
        } else if data.run != nil || data.qrels != nil || reranks || shard != nil || output != nil {
            throw ValidationError("--merge takes only reports (and --report, --json): drop --run, --qrels, --shard, --output and the pipeline flags")
        }
        if let shard { _ = try QueryShard(parsing: shard) }
    }

    func run() async throws {
        if !merge.isEmpty { return try runMerge() }
        let logger = logging.makeLogger()
        let metricList = try Metric.parseList(metrics)
        let configuration = reranks ? try pipeline.configuration(endpoint: endpoint, depth: data.depth) : nil
        let whole = try data.queries()
        let positions = Dictionary(whole.enumerated().map { ($1.query.id, $0) }, uniquingKeysWith: { first, _ in first })
        let shard = try self.shard.map(QueryShard.init(parsing:))
        let queries = shard.map { s in whole.filter { s.contains($0.query.id) } } ?? whole
        let judgments = try data.judgments()
        let options = EvalOptions(relThreshold: data.relThreshold)
        let input = Evaluation(queries: queries, qrels: judgments, metrics: metricList, options: options)

        guard let configuration else {
            if let report {
                try EvalReportFile.write(EvalReport(input: input, reranked: nil, positions: positions, shard: shard, totals: nil), to: report)
            }
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
        if let report { try EvalReportFile.prepare(report) }
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
        if let report {
            try EvalReportFile.write(EvalReport(input: input, reranked: reranked, positions: positions, shard: shard,
                                                totals: EvalReport.Totals(summary)), to: report)
        }
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
            Self.printTable(input: input, reranked: reranked, totals: EvalReport.Totals(summary))
            if let encoder = effective.encoder { print("encoder \(encoder.model), \(encoder.precision.rawValue)") }
        }
        printError(summary.line)
    }

    /// The metrics of the input and the reranked run side by side, and the cost per query.
    static func printTable(input: Evaluation, reranked: Evaluation, totals: EvalReport.Totals) {
        print("metric       input     reranked")
        for m in input.metrics {
            print(String(format: "%@ %8.4f %12.4f", ResultPrinter.pad(m.name, 10), input.mean[m] ?? 0, reranked.mean[m] ?? 0))
        }
        let n = Double(max(1, reranked.queryCount))
        let tokens = totals.promptTokens + totals.completionTokens
        print("queries \(reranked.queryCount); per query: \(String(format: "%.1f", Double(totals.calls + totals.cacheHits) / n)) calls, "
            + "\(Int(Double(tokens) / n)) tokens, \(String(format: "%.2f", totals.seconds / n)) s")
    }

    /// `--merge`: the reports of every shard, as one evaluation.
    private func runMerge() throws {
        let merged = try EvalReportFile.merge(merge.map { (path: $0, report: try EvalReportFile.read(path: $0)) })
        if let report { try EvalReportFile.write(merged, to: report) }
        let input = try merged.inputEvaluation()
        if json {
            print(String(decoding: try EvalReportFile.json(merged), as: UTF8.self))
        } else if let reranked = try merged.rerankedEvaluation() {
            Self.printTable(input: input, reranked: reranked, totals: merged.totals ?? EvalReport.Totals())
        } else {
            print(input.table(), terminator: "")
        }
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
