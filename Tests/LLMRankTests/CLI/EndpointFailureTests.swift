import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// A dead or broken endpoint ends the run with exit 3 and one line naming it, instead of a list in
/// input order that exits 0; a request the endpoint refuses for its content stays a flag.
@Suite struct EndpointFailureTests {
    func rerank(_ baseURL: String, _ extra: [String] = []) throws -> CLIRunner.Outcome {
        let dir = try RerankCommandTests.tempDir()
        let docs = try RerankCommandTests.write(RerankCommandTests.docs, "docs.jsonl", in: dir)
        return try CLIRunner().run(["rerank", "--base-url", baseURL, "--model", "m", "--query", "q", "--docs", docs,
                                    "--no-cache", "--max-attempts", "1"] + extra)
    }

    @Test func anUnreachableEndpointExitsThree() throws {
        let port = try LoopbackHTTP.freePort()
        let outcome = try rerank("http://127.0.0.1:\(port)/v1")
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("llmrank: cannot use the endpoint http://127.0.0.1:\(port)/v1: 3 calls failed and none succeeded"), "\(outcome.stderr)")
    }

    @Test(arguments: [
        ("html", StubLLMServer.Action.respond(status: 200, headers: ["content-type": "text/html"], body: Data("<html>hi</html>".utf8))),
        ("500", StubLLMServer.error(500, "overloaded")),
        ("429", StubLLMServer.error(429, "slow down")),
        ("no choices", StubLLMServer.Action.respond(status: 200, headers: [:], body: Data(#"{"choices": []}"#.utf8))),
    ])
    func aBrokenEndpointExitsThree(name: String, action: StubLLMServer.Action) throws {
        let server = try StubLLMServer { _ in action }
        let outcome = try rerank(server.baseURL)
        #expect(outcome.status == 3, "\(name): \(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot use the endpoint \(server.baseURL)"), "\(name): \(outcome.stderr)")
    }

    /// Many failures in a row open the breaker: the run stops early, far fewer calls than documents.
    @Test func theBreakerStopsALongRunEarly() throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(503, "down") }
        let dir = try RerankCommandTests.tempDir()
        let docs = try RerankCommandTests.write((0..<40).map { #"{"id": "d\#($0)", "text": "passage \#($0)"}"# }.joined(separator: "\n"),
                                                "many.jsonl", in: dir)
        let outcome = try CLIRunner().run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q", "--docs", docs,
                                           "--no-cache", "--max-attempts", "1", "--concurrency", "1"])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(server.requestCount == 5)
    }

    /// An endpoint that accepts and never answers: each request gets at most two attempts however
    /// many `--max-attempts` allow (a second timeout ends it), then the run exits 3 naming the cause.
    @Test func aHungEndpointCostsTwoAttemptsARequest() throws {
        let server = try StubLLMServer { _ in .respond(status: 200, body: Data("{}".utf8), delay: .seconds(600)) }
        let outcome = try CLIRunner().run(["rerank", "--base-url", server.baseURL, "--model", "m", "--query", "q",
                                           "--docs", try RerankCommandTests.write(RerankCommandTests.docs, "docs.jsonl",
                                                                                    in: try RerankCommandTests.tempDir()),
                                           "--no-cache", "--max-attempts", "6", "--timeout", "0.5", "--concurrency", "1"])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot use the endpoint \(server.baseURL)"), "\(outcome.stderr)")
        let documents = RerankCommandTests.docs.split(separator: "\n").count
        #expect(server.requestCount == 2 * documents, "\(server.requestCount) requests for \(documents) documents")
    }

    /// The endpoint answers but refuses one document (400): a flag on that document, exit 0.
    @Test func aRefusedDocumentIsAFlagNotAnOutage() throws {
        let server = try StubLLMServer { req in
            (req.lastUserMessage ?? "").contains("beta") ? StubLLMServer.error(400, "context length exceeded")
                : StubLLMServer.reply(#"{"score": 3}"#)
        }
        let outcome = try rerank(server.baseURL, ["--format", "jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains(#""flags":["endpoint-failed"],"#))
    }
}
