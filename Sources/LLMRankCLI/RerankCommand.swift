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
    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let input = try DocumentReader.read(path: docs)
        guard let queryText = query ?? input.query else {
            throw LLMRankError(.invalidInput, "no query: pass --query (only a rank_llm .json file carries its own)")
        }
        let query = Query(text: queryText)
        let clock = ContinuousClock()
        let start = clock.now
        let pipeline = self.pipeline
        let topN = self.topN
        let concurrency = endpoint.concurrency
        let documents = input.documents
        let result: RerankResult
        if pipeline.needsLLM, !documents.isEmpty {
            result = try await endpoint.withClient(logger: logger) { client, model in
                let p = try pipeline.makePipeline(client: client, model: model, concurrency: concurrency, topN: topN, logger: logger)
                return try await p.rerank(query: query, documents: documents)
            }
        } else {
            let p = try pipeline.makePipeline(client: nil, model: "", concurrency: concurrency, topN: topN, logger: logger)
            result = try await p.rerank(query: query, documents: documents)
        }
        let summary = RunSummary(traces: [result.trace], lists: [result.list], wall: clock.now - start)
        try summary.enforce(strict: pipeline.strict)
        let format = self.format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .jsonl)
        try ResultPrinter.print(result.list, queryID: query.id, format: format, withText: withText)
        printError(summary.line)
    }
}

/// What a run cost and what it had to do, for the stderr summary and `eval --json`.
struct RunSummary {
    var calls = 0
    var cacheHits = 0
    var usage = Usage()
    var retries = 0
    var repairs = 0
    var fallbacks = 0
    var flags: [String: Int] = [:]
    var wall: Duration

    init(traces: [Trace], lists: [RankedList], wall: Duration) {
        self.wall = wall
        for trace in traces {
            calls += trace.paidCalls
            cacheHits += trace.cacheHits
            usage = usage + trace.usage
            retries += trace.calls.map(\.retries).reduce(0, +)
            repairs += trace.calls.map(\.repairs).reduce(0, +)
        }
        for list in lists {
            for candidate in list.candidates {
                let codes = Set(candidate.flags.map(\.code.rawValue))
                for code in codes { flags[code, default: 0] += 1 }
                if codes.contains(Flag.Code.fallback.rawValue) || codes.contains(Flag.Code.endpointFailed.rawValue)
                    || codes.contains(Flag.Code.budgetExhausted.rawValue)
                {
                    fallbacks += 1
                }
            }
        }
    }

    /// With `--strict`, any fallback ends the run with exit code 4 (the summary still printed).
    func enforce(strict: Bool) throws {
        guard strict, fallbacks > 0 else { return }
        printError(line)
        throw LLMRankError(.strict, "--strict: \(fallbacks) document(s) needed a fallback (\(flagCounts))")
    }

    var flagCounts: String {
        flags.isEmpty ? "none" : flags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    var line: String {
        String(format: "llmrank: %d calls, %d cache hits, %d prompt + %d completion tokens, %d retries, %d repairs, %d fallbacks, %.2f s; flags: %@",
               calls, cacheHits, usage.promptTokens, usage.completionTokens, retries, repairs, fallbacks,
               Double(wall.milliseconds) / 1000, flagCounts)
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
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    static func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count)
    }
}
