import ArgumentParser
import Foundation
import LLMRank

struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Choose the pipeline on your labelled queries, and write it as a profile.",
        discussion: """
            Candidates: the encoder alone, and every method x prefilter depth x fusion setting within the budget.
            Every distinct judgment is paid once (the judgment store shares it between candidates); the estimate is
            printed before the first call (--dry-run stops there). The choice is made by k-fold cross-validation
            over queries, and an LLM candidate replaces the encoder alone only when its held-out gain is
            significant (paired randomization test, p < 0.05). Killed, it resumes from the store.
            """
    )

    @Option(help: "The profile candidates start from (endpoint, encoder model, judge options, cache, depth): a shipped name or a file.")
    var profile: String?

    @Option(help: "Methods tried, comma-separated (default: every method: \(JudgeMethod.allCases.map(\.rawValue).joined(separator: ","))).")
    var methods: String?

    @Option(help: "Prefilter depths tried, comma-separated (default 10,20,30).")
    var prefilter: String?

    @Option(help: "Fusion settings tried, comma-separated: none, rrf, rrf:K, weighted (the grid 0.2,0.4,0.6,0.8), weighted:W (default none,rrf,weighted).")
    var fuse: String?

    @Option(help: "The metric to choose by: ndcg@k, mrr@k, map, map@k, p@k, recall@k, hit@k.")
    var objective: String = "ndcg@10"

    @Option(name: .customLong("max-tokens-per-query"), help: "Leave out candidates estimated to spend more tokens a query.")
    var maxTokensPerQuery: Int?

    @Option(name: .customLong("max-calls-per-query"), help: "Leave out candidates estimated to make more LLM calls a query.")
    var maxCallsPerQuery: Int?

    @Option(help: "Folds of the cross-validation over queries.")
    var folds: Int = 5

    @Option(help: "Seed of the folds and of the significance test.")
    var seed: UInt64 = 13

    @Option(help: "Judgment cache file (default: the profile's, else $LLMRANK_HOME/judgments.sqlite).")
    var cache: String?

    @Option(help: "Write the chosen profile here (YAML, the evidence in its header comment).")
    var output: String?

    @Option(help: "Write the JSON report here.")
    var report: String?

    @Option(help: "Write the Pareto frontier (quality against tokens) here as SVG.")
    var plot: String?

    @ArgumentParser.Flag(name: .customLong("dry-run"), help: "Print the candidates and the estimated calls and tokens, and stop.")
    var dryRun = false

    @OptionGroup var data: RunOptions
    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try data.requireRunAndQrels()
        if output == nil, !dryRun { throw ValidationError("--output PROFILE.yaml is required (or --dry-run)") }
        if folds < 2 { throw ValidationError("--folds must be at least 2") }
        if let maxTokensPerQuery, maxTokensPerQuery < 1 { throw ValidationError("--max-tokens-per-query must be at least 1") }
        if let maxCallsPerQuery, maxCallsPerQuery < 1 { throw ValidationError("--max-calls-per-query must be at least 1") }
    }

    func run() async throws {
        let metric = try Metric.parseList(objective)
        guard metric.count == 1 else { throw LLMRankError(.invalidInput, "--objective takes one metric, got '\(objective)'") }
        var base = try profile.map { try ProfileLibrary.resolve($0) } ?? RerankerConfiguration(encoder: EncoderSettings(), judge: nil)
        endpoint.apply(to: &base.endpoint)
        if let cache { base.store = .sqlite(path: cache) }
        if let depth = data.depth { base.depth = depth }
        let options = TuneOptions(
            objective: metric[0], folds: folds, seed: seed,
            methods: try methods.map(TuneGrid.parseMethods) ?? JudgeMethod.allCases,
            prefilters: try prefilter.map(TuneGrid.parsePrefilters) ?? TuneGrid.defaultPrefilters,
            fusions: try fuse.map(TuneGrid.parseFusions) ?? TuneGrid.defaultFusions,
            maxCallsPerQuery: maxCallsPerQuery, maxTokensPerQuery: maxTokensPerQuery, relThreshold: data.relThreshold,
            queryConcurrency: data.queryConcurrency, runLabel: data.run ?? "", qrelsLabel: data.qrels ?? "")
        let queries = try data.queries()
        let judgments = try data.judgments()
        let tuner = Tuner(base: base, options: options)
        let plan = try await tuner.plan(queries: queries, qrels: judgments)
        printError(plan.summary)
        if dryRun { return }

        // Everything that could refuse the output is checked before the first paid call.
        for path in [output, report, plot].compactMap({ $0 }) { try OutputFile.check(path) }
        let progress = Progress(total: 1, unit: "query passes")
        let outcome = try await tuner.run(plan, qrels: judgments, logger: logging.makeLogger()) { done, total in
            progress.advance(done: done, total: total)
        }
        progress.finish()
        printError(outcome.table)
        printError("llmrank: \(outcome.evidence.reason)")
        if let output { try OutputFile.write(try outcome.profileYAML(), to: output) }
        if let report { try OutputFile.write(try JSONOutput.string(outcome.jsonValue, pretty: true) + "\n", to: report) }
        if let plot { try OutputFile.write(FrontierPlot.svg(outcome), to: plot) }
    }
}

/// Output files written whole, after a check before any paid work that the path can be written.
enum OutputFile {
    static func check(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: folder)
        else { throw LLMRankError(.invalidInput, "\(path): cannot write here (no such folder, or not writable)") }
    }

    static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw LLMRankError(.invalidInput, "\(path): cannot write: \((error as NSError).localizedDescription)")
        }
    }
}
