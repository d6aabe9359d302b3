import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// `llmrank rerank` as users and scripts call it: the built binary against a loopback judge.
@Suite struct RerankCommandTests {
    /// A judge that grades a passage by the digit after "grade=" in its text.
    static func judge() throws -> StubLLMServer {
        try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            guard let r = text.range(of: #"grade=\d"#, options: .regularExpression) else { return StubLLMServer.reply("no idea") }
            return StubLLMServer.reply(#"{"score": \#(text[r].last!)}"#)
        }
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let docs = """
        {"id": "a", "text": "alpha grade=2", "source": "bm25"}
        {"id": "b", "text": "beta grade=5"}
        {"id": "c", "text": "gamma grade=3"}

        """

    func rerank(_ server: StubLLMServer, _ extra: [String], stdin: String? = nil) throws -> CLIRunner.Outcome {
        try CLIRunner().run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q"] + extra, stdin: stdin)
    }

    @Test func jsonlOutputIsTheContractAndTheSecondRunIsFree() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let docs = try Self.write(Self.docs, "docs.jsonl", in: dir)
        let cache = dir.appendingPathComponent("cache.sqlite").path
        let first = try rerank(server, ["--docs", docs, "--format", "jsonl", "--cache", cache])
        #expect(first.status == 0, "\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map { try! JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        #expect(lines.map { $0["id"]?.stringValue } == ["b", "c", "a"])
        #expect(lines.map { $0["rank"] } == [1, 2, 3])
        #expect(lines.map { $0["score"] } == [5, 3, 2])
        #expect(lines.allSatisfy { $0["flags"] == [] })
        #expect(lines.allSatisfy { $0["text"] == nil })
        #expect(first.stderr.contains("3 calls, 0 cache hits"))
        #expect(server.requestCount == 3)

        let second = try rerank(server, ["--docs", docs, "--format", "jsonl", "--cache", cache])
        #expect(second.stdout == first.stdout)
        #expect(second.stderr.contains("0 calls, 3 cache hits"))
        #expect(server.requestCount == 3)
    }

    @Test func withTextAddsTextMetadataAndStageScores() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let docs = try Self.write(Self.docs, "docs.jsonl", in: dir)
        let out = try rerank(server, ["--docs", docs, "--format", "jsonl", "--with-text", "--no-cache", "--top-n", "1"])
        let line = try JSONDecoder().decode(JSONValue.self, from: Data(out.stdout.utf8))
        #expect(line["id"] == "b")
        #expect(line["text"] == "beta grade=5")
        #expect(line["stage_scores"]?["pointwise"] == 5)
        #expect(out.stdout.split(separator: "\n").count == 1)
    }

    @Test func trecFormatAndStdin() throws {
        let server = try Self.judge()
        let out = try rerank(server, ["--docs", "-", "--format", "trec", "--no-cache"], stdin: Self.docs)
        #expect(out.status == 0, "\(out.stderr)")
        let rows = out.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map { $0[2] } == ["b", "c", "a"])
        #expect(rows.map { $0[3] } == ["1", "2", "3"])
        #expect(rows.allSatisfy { $0[0] == "q" && $0[1] == "Q0" })
    }

    @Test func aRankLLMFileCarriesItsQuery() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let file = try Self.write(#"{"query": "from the file", "hits": [{"docid": "x", "content": "grade=1"}, {"docid": "y", "content": "grade=4"}]}"#,
                                  "run.json", in: dir)
        let out = try CLIRunner().run(["rerank", "--base-url", server.baseURL, "--model", "m", "--docs", file,
                                       "--format", "jsonl", "--no-cache"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.hasPrefix(#"{"flags":[],"id":"y""#))
        #expect(server.requests.first?.lastUserMessage?.contains("from the file") == true)
    }

    @Test func badInputNamesTheFileAndLineAndExitsTwo() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let malformed = try Self.write("{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\"}\n", "bad.jsonl", in: dir)
        let out = try rerank(server, ["--docs", malformed])
        #expect(out.status == 2)
        #expect(out.stderr.contains("bad.jsonl:2: missing field 'text'"))
        let duplicate = try Self.write("a\tfirst\nb\tsecond\na\tthird\n", "dup.tsv", in: dir)
        let dup = try rerank(server, ["--docs", duplicate])
        #expect(dup.status == 2)
        #expect(dup.stderr.contains("dup.tsv:3: duplicate id 'a' (first on line 1)"))
        #expect(server.requestCount == 0)
    }

    @Test func anEmptyListGivesAnEmptyResult() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let empty = try Self.write("", "empty.jsonl", in: dir)
        let out = try rerank(server, ["--docs", empty, "--format", "jsonl", "--no-cache"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(server.requestCount == 0)
    }

    @Test func strictTurnsAFallbackIntoExitFour() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let docs = try Self.write("{\"id\": \"a\", \"text\": \"no grade here\"}\n{\"id\": \"b\", \"text\": \"grade=3\"}\n", "d.jsonl", in: dir)
        let lenient = try rerank(server, ["--docs", docs, "--format", "jsonl", "--no-cache"])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.split(separator: "\n").last?.contains(#""flags":["fallback"]"#) == true)
        let strict = try rerank(server, ["--docs", docs, "--format", "jsonl", "--no-cache", "--strict"])
        #expect(strict.status == 4)
        #expect(strict.stderr.contains("--strict: 1 document(s) needed a fallback"))
    }

    @Test func listwiseWithOneDocumentNeedsNoCallEvenWhenStrict() throws {
        // The stub's replies are no permutation: a call would end in a fallback, and --strict in 4.
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let docs = try Self.write("{\"id\": \"a\", \"text\": \"alone grade=2\"}\n", "one.jsonl", in: dir)
        let out = try rerank(server, ["--docs", docs, "--method", "listwise", "--format", "jsonl", "--no-cache", "--strict"])
        #expect(out.status == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map { try! JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        #expect(lines.map { $0["id"]?.stringValue } == ["a"])
        #expect(lines.first?["flags"] == [])
        #expect(server.requestCount == 0)
    }

    @Test func promptsRenderShowsExactlyWhatIsSent() throws {
        let out = try CLIRunner().run(["prompts", "render", "pointwise-1to5", "--query", "a & b", "--doc", "{{query}} <b>"])
        #expect(out.status == 0, "\(out.stderr)")
        let messages = try JSONDecoder().decode([ChatMessage].self, from: Data(out.stdout.utf8))
        let sent = try PromptLibrary.named("pointwise-1to5").render(query: "a & b", document: "{{query}} <b>")
        #expect(messages == sent)
        #expect(messages.last?.content.contains("{{query}} <b>") == true)
        #expect(messages.last?.content.contains("a & b") == true)
    }

    @Test func cacheStatsAndClear() throws {
        let server = try Self.judge()
        let dir = try Self.tempDir()
        let docs = try Self.write(Self.docs, "docs.jsonl", in: dir)
        let cache = dir.appendingPathComponent("c.sqlite").path
        _ = try rerank(server, ["--docs", docs, "--format", "jsonl", "--cache", cache])
        let stats = try CLIRunner().run(["cache", "stats", "--cache", cache, "--json"])
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(stats.stdout.utf8))
        #expect(object["entries"] == 3)
        // Negative or NaN ages are refused (they would delete everything), and nothing is deleted.
        for age in ["-1", "nan", "inf"] {
            let refused = try CLIRunner().run(["cache", "clear", "--cache", cache, "--older-than-days=\(age)"])
            #expect(refused.status == 2, "\(age): \(refused.stderr)")
            #expect(refused.stderr.contains("--older-than-days must be a number of days, 0 or more"))
        }
        let kept = try CLIRunner().run(["cache", "clear", "--cache", cache, "--older-than-days", "1"])
        #expect(kept.stdout.contains("deleted 0 entries"))
        let clear = try CLIRunner().run(["cache", "clear", "--cache", cache])
        #expect(clear.stdout.contains("deleted 3 entries"))
    }
}
