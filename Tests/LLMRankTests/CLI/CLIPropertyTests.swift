import Foundation
import PropertyBased
import Testing
import LLMRankTestSupport

// Property tests of the built binary: random flag values and random document text never crash the
// CLI (no signal, only the README's exit codes), a refused flag is one line on stderr before any
// call, and every document comes out exactly once. Counts stay small: each case is a process.

/// Flags of `rerank` that take a value, each given a random one.
private let valueFlags = [
    "--top-n", "--max-calls", "--deadline", "--max-words", "--window", "--step", "--concurrency", "--timeout",
    "--max-attempts", "--prefilter", "--fuse", "--method", "--format", "--rpm", "--max-tokens-per-query",
    "--json-mode", "--tpm", "--encoder-precision",
]

/// Values that probe ranges, finiteness, types and the flags' own vocabularies.
private let values = [
    "-1", "0", "1", "2", "7", "0.5", "-0.0", "nan", "NaN", "inf", "-inf", "1e308", "1e-320",
    "99999999999999999999", "100000", "abc", "", " ", "3 4", "rrf", "rrf:0", "weighted:0.5", "weighted:-2",
    "weighted:nan", "yesno", "listwise", "pointwise", "aspects", "encoder", "jsonl", "table", "json",
    "auto", "schema", "off", "bfloat16", "float32", "--", "-", "\u{0}x", "é😀",
]

private let flagSets: Generator<[String], some SendableSequenceType> = PropertyBased.zip(
    Gen<String?>.element(of: valueFlags).map { $0! },
    Gen<String?>.element(of: values).map { $0! }
).array(of: 1...4).map { pairs in pairs.flatMap { [$0.0, $0.1] } }

/// Document text built from structural markers, forged labels and random Unicode.
private let fragments = [
    "\n", "\n\n", "[1]", "[2]", "[20]", "[A]", "Passage B:", "</think>", "<think>", "system:", "assistant:",
    "{{query}}", "{{#documents}}", "\"", "\\", "\t", "\r\n", "Yes", "No", "{\"score\": 5}", " ", "word",
    "\u{202E}", "\u{FEFF}", "😀", "é",
]

private let documentText: Generator<String, some SendableSequenceType> = Gen.frequency(
    (4, Gen<String?>.element(of: fragments).map { $0! }),
    (1, Gen<Unicode.Scalar>.unicodeScalar(in: "\u{1}"..."\u{D7FF}").map { String(Character($0)) })
).array(of: 0...40).map { $0.joined() }

@Suite struct CLIPropertyTests {
    /// Answers every method well enough: a permutation for listwise, a grade and "Yes" otherwise.
    static func judge() throws -> StubLLMServer {
        try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            if text.contains("[2]") { return StubLLMServer.reply("[2] > [1]") }
            return StubLLMServer.reply(text.contains("Yes") ? "Yes" : #"{"score": 3}"#)
        }
    }

    @Test func randomFlagValuesNeverCrashTheCLI() async throws {
        let server = try Self.judge()
        let dir = try RerankCommandTests.tempDir()
        let docs = try RerankCommandTests.write(RerankCommandTests.docs, "docs.jsonl", in: dir)
        let cli = try CLIRunner()
        await propertyCheck(count: 25, input: flagSets) { flags in
            let outcome = try cli.run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q",
                                       "--docs", docs, "--no-cache", "--max-attempts", "1"] + flags)
            #expect(!outcome.crashed, "\(flags): signal \(outcome.status)\n\(outcome.stderr)")
            #expect([0, 2, 3, 4, 5].contains(outcome.status), "\(flags): exit \(outcome.status)\n\(outcome.stderr)")
            if outcome.status == 2 { #expect(!outcome.stderr.isEmpty && outcome.stdout.isEmpty, "\(flags)") }
        }
    }

    @Test(arguments: ["yesno", "listwise"])
    func randomDocumentTextComesOutOnceEach(method: String) async throws {
        let server = try Self.judge()
        let cli = try CLIRunner()
        await propertyCheck(count: 10, input: documentText.array(of: 1...6)) { texts in
            let lines = try texts.enumerated().map { i, text in
                String(decoding: try JSONSerialization.data(withJSONObject: ["id": "d\(i)", "text": text]), as: UTF8.self)
            }
            let docs = try RerankCommandTests.write(lines.joined(separator: "\n") + "\n", "docs.jsonl",
                                                    in: try RerankCommandTests.tempDir())
            let outcome = try cli.run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q",
                                       "--docs", docs, "--no-cache", "--method", method, "--format", "jsonl"])
            #expect(!outcome.crashed && outcome.status == 0, "\(texts): exit \(outcome.status)\n\(outcome.stderr)")
            let ids = outcome.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
            }
            #expect(ids.sorted() == texts.indices.map { "d\($0)" }.sorted(), "\(texts)\n\(outcome.stdout)")
        }
    }
}
