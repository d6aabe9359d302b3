import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// `llmrank eval` and `llmrank profiles`, run as a user would: the built binary against a loopback
/// judge that grades each passage by the digit after "grade=".
@Suite struct EvalAndProfilesCommandTests {
    /// Two queries, three passages each; the relevant one (grade 5, qrels 2) comes last in the run.
    static let run = """
        [{"query": "first query", "hits": [
            {"qid": "1", "docid": "1a", "content": "alpha grade=1", "score": 3},
            {"qid": "1", "docid": "1b", "content": "beta grade=2", "score": 2},
            {"qid": "1", "docid": "1c", "content": "gamma grade=5", "score": 1}]},
         {"query": "second query", "hits": [
            {"qid": "2", "docid": "2a", "content": "delta grade=1", "score": 3},
            {"qid": "2", "docid": "2b", "content": "epsilon grade=5", "score": 2},
            {"qid": "2", "docid": "2c", "content": "zeta grade=2", "score": 1}]}]
        """
    static let qrels = "1 0 1c 2\n1 0 1a 0\n2 0 2b 2\n"

    func files() throws -> (dir: URL, run: String, qrels: String) {
        let dir = try RerankCommandTests.tempDir()
        return (dir, try RerankCommandTests.write(Self.run, "run.json", in: dir), try RerankCommandTests.write(Self.qrels, "qrels.txt", in: dir))
    }

    func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test func evalReranksEveryQueryAndReportsBoth() throws {
        let server = try RerankCommandTests.judge()
        let (dir, run, qrels) = try files()
        let output = dir.appendingPathComponent("reranked.trec").path
        let outcome = try CLIRunner().run(["eval", "--run", run, "--qrels", qrels, "--method", "pointwise", "--base-url", server.baseURL,
                                           "--model", "m", "--no-cache", "--metrics", "ndcg@10,mrr@10", "--json", "--output", output])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try json(outcome.stdout)
        #expect(report["queries"] == 2)
        // Input: the relevant passage at rank 3 (query 1) and 2 (query 2); reranked: first in both.
        #expect(report["input"]?["mrr@10"] == .number((1.0 / 3 + 1.0 / 2) / 2))
        #expect(report["reranked"]?["mrr@10"] == 1)
        #expect(report["reranked"]?["ndcg@10"] == 1)
        #expect(report["usage"]?["calls"] == 6)
        #expect(report["fallbacks"] == 0)
        #expect(server.requestCount == 6)
        let trec = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(trec.first?.hasPrefix("1 Q0 1c 1 ") == true)
        #expect(trec.count == 6)
        #expect(outcome.stderr.contains("llmrank: 6 calls, 0 cache hits"))
    }

    @Test func evalWithoutAPipelineEvaluatesTheRunAsGiven() throws {
        let (_, run, qrels) = try files()
        let outcome = try CLIRunner().run(["eval", "--run", run, "--qrels", qrels, "--metrics", "mrr@10", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try json(outcome.stdout)
        #expect(report["reranked"] == nil)
        #expect(report["input"]?["mrr@10"] == .number((1.0 / 3 + 1.0 / 2) / 2))
    }

    /// A profile file sets the pipeline; flags override its fields; -v prints the effective profile.
    @Test func aProfileFileWithFlagsThatOverrideIt() throws {
        let server = try RerankCommandTests.judge()
        let (dir, run, qrels) = try files()
        let profile = try RerankCommandTests.write("""
            description: test profile
            endpoint:
              base_url: http://127.0.0.1:9/v1
              model: from-profile
            judge:
              method: pointwise
              temperature: 0.7
            cache: none
            """, "p.yaml", in: dir)
        let outcome = try CLIRunner().run(["eval", "--run", run, "--qrels", qrels, "--profile", profile, "--base-url", server.baseURL,
                                           "--temperature", "0", "--metrics", "mrr@10", "--json", "-v"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try json(outcome.stdout)["reranked"]?["mrr@10"] == 1)
        // The profile's model, the flag's endpoint and temperature.
        #expect(server.requests.allSatisfy { $0.json?["model"] == "from-profile" && $0.json?["temperature"] == 0 })
        #expect(outcome.stderr.contains("effective profile"))
        #expect(outcome.stderr.contains("base_url: \(server.baseURL)"))
        #expect(outcome.stderr.contains("description: test profile"))
    }

    @Test func profilesListShowAndCheck() throws {
        let list = try CLIRunner().run(["profiles", "list"])
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) } == ProfileLibrary.shippedNames)
        let show = try CLIRunner().run(["profiles", "show", "local"])
        #expect(show.stdout == ProfileLibrary.shippedYAML(named: "local"))
        let dir = try RerankCommandTests.tempDir()
        let good = try RerankCommandTests.write("encoder:\n  keep: 10\njudge:\n  method: yesno\n", "good.yaml", in: dir)
        let bad = try RerankCommandTests.write("judge:\n  method: yesno\n  widow: 3\n", "bad.yaml", in: dir)
        let checked = try CLIRunner().run(["profiles", "check", good])
        #expect(checked.status == 0)
        #expect(checked.stdout == "ok  \(good): encoder top 10 -> judge yesno\n")
        let refused = try CLIRunner().run(["profiles", "check", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("llmrank: \(bad):3: judge.widow: unknown field 'widow'"))
    }

    /// Bad flags exit 2 with one line naming the flag, like every other bad input.
    @Test(arguments: [
        (["--window", "1"], "--window must be at least 2"),
        (["--method", "setwise", "--set-size", "1"], "--set-size must be between 2 and 20"),
        (["--method", "pairwise", "--allpairs-max", "1"], "--allpairs-max must be between 2 and 100"),
        (["--method", "pairwise", "--top-k", "0"], "--top-k must be between 1 and 1000"),
        (["--concurrency", "100000"], "--concurrency must be between 1 and 256"),
        (["--deadline", "nan"], "--deadline must be a positive number of seconds"),
        (["--fuse", "rrf"], "--fuse fuses the encoder's and the judge's scores: add --prefilter K"),
        (["--method", "encoder", "--prompt", "yesno"], "--prompt needs a judge"),
    ])
    func badFlagsExitTwo(flags: [String], message: String) throws {
        let dir = try RerankCommandTests.tempDir()
        let docs = try RerankCommandTests.write(RerankCommandTests.docs, "docs.jsonl", in: dir)
        let outcome = try CLIRunner().run(["rerank", "--query", "q", "--docs", docs, "--base-url", "http://127.0.0.1:9/v1"] + flags)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }
}
