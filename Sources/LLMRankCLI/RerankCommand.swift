import ArgumentParser
import Foundation
import LLMRank

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, jsonl, trec
}

struct RerankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Rerank documents for one query and print them best first.",
        discussion: """
            Documents: .jsonl ({"id", "text", ...} a line), .tsv (id<TAB>text), .txt (a document a line),
            .json in the rank_llm format ({"query", "hits": [{"docid", "content"}]}), or - for JSONL on stdin.
            A summary (calls, cache hits, tokens, retries, repairs, fallbacks, time) goes to stderr.
            """
    )

    @Option(help: "The query (optional with a rank_llm .json file, which carries its own).")
    var query: String?

    @Option(help: "Documents file, or - for JSONL on stdin.")
    var docs: String

    @Option(name: .customLong("top-n"), help: "Print only the first N.")
    var topN: Int?

    @Option(help: "Output: table (default on a terminal), jsonl (default otherwise), trec.")
    var format: OutputFormat?

    @ArgumentParser.Flag(name: .customLong("with-text"), help: "jsonl: add each document's text, metadata and stage scores.")
    var withText = false

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        try pipeline.requireOneProfile()
        if let topN, topN < 1 { throw ValidationError("--top-n must be at least 1") }
    }

    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let configuration = try pipeline.configuration(endpoint: endpoint, topN: topN)
        let input = try DocumentReader.read(path: docs)
        guard let queryText = query ?? input.query else {
            throw LLMRankError(.invalidInput, "no query: pass --query (only a rank_llm .json file carries its own)")
        }
        guard !queryText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw LLMRankError(.invalidInput, "the query is empty")
        }
        let query = Query(text: queryText)
        let documents = input.documents
        let format = self.format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .jsonl)
        // Everything that could refuse the output is checked before the first paid call.
        if format == .trec { _ = try TRECRunWriter.format([(queryID: query.id, list: RankedList(documents: documents))]) }
        let logging = self.logging
        let start = ContinuousClock.now
        let result = try await Reranker.with(configuration, logger: logger) { reranker in
            logging.show(reranker)
            return try await reranker.rerank(query: query, documents: documents)
        }
        let summary = RunSummary(results: [result], wall: ContinuousClock.now - start)
        try Strictness.enforce(summary, strict: pipeline.strict)
        try ResultPrinter.print(result.list, queryID: query.id, format: format, withText: withText)
        printError(summary.line)
    }
}

/// `--strict`: any fallback ends the run with exit code 4 (the summary still printed).
enum Strictness {
    static func enforce(_ summary: RunSummary, strict: Bool) throws {
        guard strict, summary.fallbacks > 0 else { return }
        printError(summary.line)
        throw LLMRankError(.strict, "--strict: \(summary.fallbacks) document(s) needed a fallback (\(summary.flagCounts))")
    }
}

enum ResultPrinter {
    static func print(_ list: RankedList, queryID: String, format: OutputFormat, withText: Bool) throws {
        var out = ""
        switch format {
        case .jsonl:
            for c in list.candidates {
                var object: [String: JSONValue] = [
                    "id": .string(c.id), "rank": .number(Double(c.rank)),
                    "score": c.score.map(JSONValue.number) ?? .null,
                    "flags": .array(unique(c.flags.map(\.code.rawValue)).map(JSONValue.string)),
                ]
                if !c.flags.isEmpty {
                    object["flag_details"] = .array(c.flags.map { f in
                        ["code": .string(f.code.rawValue), "stage": f.stage.map(JSONValue.string) ?? .null,
                         "detail": .string(f.detail)]
                    })
                }
                if withText {
                    object["text"] = .string(c.text)
                    object["metadata"] = .object(c.metadata)
                    object["stage_scores"] = .object(Dictionary(c.stageScores.map { ($0.stage, $0.score.map(JSONValue.number) ?? .null) },
                                                                uniquingKeysWith: { _, last in last }))
                }
                out += try JSONOutput.string(JSONValue.object(object)) + "\n"
            }
        case .trec:
            out = try TRECRunWriter.format([(queryID: queryID, list: list)])
        case .table:
            out = "rank  score      id                    flags                 text\n"
            for c in list.candidates {
                let score = c.score.map { String(format: "%9.4f", $0) } ?? "        -"
                let flags = unique(c.flags.map(\.code.rawValue)).joined(separator: ",")
                let text = c.text.replacingOccurrences(of: "\n", with: " ")
                out += "\(pad(String(c.rank), 4))  \(score)  \(pad(c.id, 20))  \(pad(flags.isEmpty ? "-" : flags, 20))  \(text.prefix(60))\n"
            }
        }
        Output.write(out, to: STDOUT_FILENO)
    }

    static func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count)
    }
}
