import ArgumentParser
import Foundation
import LLMRank

/// The labelled data `eval` and `tune` read: a run, its qrels, and how the queries are taken.
struct RunOptions: ParsableArguments {
    @Option(help: "The run: rank_llm JSON, or a TREC run (with --corpus and --topics).")
    var run: String?

    @Option(help: "Qrels: TREC or JSON.")
    var qrels: String?

    @Option(help: "Corpus for a TREC run: TSV (id<TAB>text) or JSONL.")
    var corpus: String?

    @Option(help: "Topics for a TREC run: TSV (qid<TAB>text) or JSONL.")
    var topics: String?

    @Option(name: .customLong("rel-threshold"), help: "Lowest grade that counts as relevant for binary metrics.")
    var relThreshold: Int = 1

    @Option(help: "Rerank only the first N candidates of each query (the rest stay below, in input order).")
    var depth: Int?

    @Option(name: .customLong("max-queries"), help: "Use only the first N queries of the run.")
    var maxQueries: Int?

    @Option(name: .customLong("query-concurrency"), help: "Queries reranked at once.")
    var queryConcurrency: Int = 4

    func validate() throws {
        if let depth, depth < 1 { throw ValidationError("--depth must be at least 1") }
        if let maxQueries, maxQueries < 1 { throw ValidationError("--max-queries must be at least 1") }
        if queryConcurrency < 1 { throw ValidationError("--query-concurrency must be at least 1") }
    }

    /// Throws unless both `--run` and `--qrels` are given (the commands that need them call it from
    /// `validate`).
    func requireRunAndQrels(_ alternative: String = "") throws {
        if run == nil || qrels == nil {
            throw ValidationError("--run and --qrels are required\(alternative)")
        }
    }

    /// The run's queries (the first `--max-queries`): rank_llm JSON, or TREC with a corpus and topics.
    func queries() throws -> [EvalQuery] {
        guard let run else { throw ValidationError("--run is required") }
        let queries: [EvalQuery]
        if run.hasSuffix(".json") {
            queries = try RunReader.readRankLLM(path: run)
        } else {
            guard let corpus, let topics else {
                throw LLMRankError(.invalidInput, "\(run): a TREC run needs --corpus and --topics for the texts")
            }
            queries = try RunReader.readTREC(run: run, corpus: corpus, topics: topics)
        }
        return maxQueries.map { Array(queries.prefix($0)) } ?? queries
    }

    /// The qrels.
    func judgments() throws -> Qrels {
        guard let qrels else { throw ValidationError("--qrels is required") }
        return try QrelsReader.read(path: qrels)
    }
}
