import Foundation
import Testing
@testable import LLMRank
import LLMRankServer
import LLMRankTestSupport

/// The remote rerank stage against real loopback servers: `llmrank serve` itself (an encoder
/// profile as the remote) and the stub, scripted with the faults a hosted API shows.
@Suite struct RemoteStageTests {
    static let texts = ["the sun is a star", "auroras come from solar wind hitting the magnetosphere",
                        "bread needs yeast", "charged particles from the sun light up the polar sky"]
    static let query = "what causes auroras?"
    static var documents: [Document] { texts.enumerated().map { Document(id: "d\($0.offset)", text: $0.element) } }

    /// A Cohere-shaped reply scoring document i by `scores[i]`, results in the given order.
    static func cohereReply(_ scores: [(Int, Double)]) -> StubLLMServer.Action {
        let results = scores.map { #"{"index": \#($0.0), "relevance_score": \#($0.1)}"# }.joined(separator: ",")
        return .respond(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"results": [\#(results)]}"#.utf8))
    }

    static func remoteOnly(_ url: String, api: RemoteAPI = .cohere, keyEnv: String? = nil) -> RerankerConfiguration {
        RerankerConfiguration(judge: nil, store: StoreSetting.none, remote: RemoteSettings(url: url, api: api, keyEnv: keyEnv))
    }

    static func rerank(_ config: RerankerConfiguration, environment: [String: String] = [:]) async throws -> RerankResult {
        try await Reranker.with(config, environment: environment) { try await $0.rerank(query: Query(text: query), documents: documents) }
    }

    @Test(.needsEncoderModel) func servedEncoderProfileAsTheRemoteGivesTheEncodersOrder() async throws {
        let encoder = try ProfileLibrary.named("encoder")
        let expected = try await Self.rerank(encoder).list.ids
        let settings = ServerSettings(profiles: ["encoder": encoder], defaultProfile: "encoder")
        try await ServerHarness.with(settings) { server in
            for (path, api) in [("/v1/rerank", RemoteAPI.cohere), ("/v2/rerank", .cohere), ("/v1/rerank", .jina),
                                ("/v1/rerank", .vllm), ("/rerank", .tei)]
            {
                let result = try await Self.rerank(Self.remoteOnly("http://127.0.0.1:\(server.port)\(path)", api: api))
                #expect(result.list.ids == expected, "\(api) at \(path)")
                let scores = result.list.candidates.compactMap { $0.score(of: "remote") }
                #expect(scores.count == Self.texts.count && scores == scores.sorted(by: >), "\(api): \(scores)")
                #expect(result.trace.stages.map(\.stage) == ["remote"])
            }
        }
    }

    @Test func theRemotePrefiltersAndTheJudgeOrdersTheHead() async throws {
        let stub = try StubLLMServer { req in
            if req.path.hasSuffix("/rerank") { return Self.cohereReply([(1, 0.9), (3, 0.8), (0, 0.2), (2, 0.1)]) }
            // The judge prefers the document about charged particles.
            let text = req.lastUserMessage ?? ""
            return StubLLMServer.reply(text.contains("charged particles") ? #"{"score": 5}"# : #"{"score": 2}"#)
        }
        var config = RerankerConfiguration(endpoint: EndpointSettings(baseURL: stub.baseURL, model: "m"), store: StoreSetting.none,
                                           remote: RemoteSettings(url: "http://127.0.0.1:\(stub.port)/v2/rerank", model: "rr", keep: 2))
        config.judge = JudgeSettings(method: .pointwise)
        let result = try await Self.rerank(config)
        #expect(result.list.ids == ["d3", "d1", "d0", "d2"])
        #expect(result.list.candidates[2].flags.map(\.code) == [.cut])
        let sent = try #require(stub.requests.first { $0.path.hasSuffix("/rerank") }?.json)
        #expect(sent["model"] == "rr" && sent["query"] == .string(Self.query) && sent["documents"]?.arrayValue?.count == 4)
        #expect(stub.requests.filter { $0.path.hasSuffix("/chat/completions") }.count == 2)
        #expect(result.trace.stages.map(\.stage) == ["remote", "pointwise"])
    }

    @Test func a429WithRetryAfterAnd500sAreRetriedThroughTheClient() async throws {
        let stub = try StubLLMServer { req in
            switch req.index {
            case 0: StubLLMServer.error(429, "slow down", headers: ["Retry-After": "0"])
            case 1: StubLLMServer.error(500, "oops")
            default: Self.cohereReply([(0, 0.1), (1, 0.7), (2, 0.3), (3, 0.5)])
            }
        }
        let result = try await Self.rerank(Self.remoteOnly("http://127.0.0.1:\(stub.port)/v1/rerank"))
        #expect(result.list.ids == ["d1", "d3", "d2", "d0"])
        #expect(stub.requestCount == 3)
        #expect(result.trace.stages.first?.calls.first?.attempts == 3)
    }

    @Test func malformedAndWrongRepliesAreClearErrors() async throws {
        let cases: [(String, String)] = [
            ("not json at all", "the reply is not JSON"),
            (#"{"data": []}"#, #"no "results" array"#),
            (#"{"results": [{"index": 0, "relevance_score": 0.5}, {"index": 7, "relevance_score": 0.4}]}"#, "index 7 is outside the 4 documents"),
            (#"{"results": [{"index": 0, "relevance_score": 0.5}, {"index": 0, "relevance_score": 0.4}]}"#, "index 0 appears twice"),
            (#"{"results": [{"index": 0, "relevance_score": 0.5}]}"#, "no score for 3 of the 4 documents"),
            (#"{"results": [{"index": "0", "relevance_score": 0.5}]}"#, "results[0]: expected an integer"),
        ]
        for (body, message) in cases {
            let stub = try StubLLMServer { _ in .respond(status: 200, body: Data(body.utf8)) }
            let url = "http://127.0.0.1:\(stub.port)/v1/rerank"
            let error = await #expect(throws: LLMRankError.self) { try await Self.rerank(Self.remoteOnly(url)) }
            #expect(error?.kind == .badReply, "\(body)")
            #expect(error?.message.contains(message) == true && error?.message.contains(url) == true, "\(error?.message ?? "")")
        }
    }

    @Test func theKeyGoesInTheHeaderAndNowhereElse() async throws {
        let key = "remote-secret-12345"
        let stub = try StubLLMServer { req in StubLLMServer.error(400, "bad key \(req.headers["authorization"] ?? "")") }
        let config = Self.remoteOnly("http://127.0.0.1:\(stub.port)/v1/rerank", keyEnv: "REMOTE_KEY")
        let error = await #expect(throws: LLMRankError.self) { try await Self.rerank(config, environment: ["REMOTE_KEY": key]) }
        #expect(stub.requests.first?.headers["authorization"] == "Bearer \(key)")
        #expect(error?.status == 400)
        #expect(error.map { !"\($0)".contains(key) && !$0.message.contains(key) } == true, "\(String(describing: error))")
        // An unset variable is named; the key's value never is.
        let missing = await #expect(throws: LLMRankError.self) { try await Self.rerank(config, environment: [:]) }
        #expect(missing?.kind == .setup && missing?.message.contains("REMOTE_KEY is not set") == true)
    }

    @Test func aProfileDescribesTheRemoteAndBadFieldsAreNamed() throws {
        let yaml = """
            remote:
              url: http://127.0.0.1:9/v1/rerank
              api: tei
              keep: 5
            """
        let config = try ProfileLoader.load(yaml: yaml, file: "p.yaml", directory: nil)
        #expect(config.remote == RemoteSettings(url: "http://127.0.0.1:9/v1/rerank", api: .tei, keep: 5))
        #expect(config.judge == nil && config.encoder == nil)
        for (bad, field) in [("  url: ftp://x\n", "remote.url"), ("  url: http://x\n  api: voyage\n", "api"),
                             ("  url: http://x\n  keep: 0\n", "remote.keep"), ("  url: http://x\n  colour: red\n", "colour")]
        {
            #expect(throws: LLMRankError.self, "\(bad)") { try ProfileLoader.load(yaml: "remote:\n" + bad, file: "p.yaml", directory: nil) }
            do { _ = try ProfileLoader.load(yaml: "remote:\n" + bad, file: "p.yaml", directory: nil) } catch let e as LLMRankError {
                #expect(e.message.contains(field), "\(e.message)")
            }
        }
    }

    @Test func theCLIRerankerWithMethodRemote() throws {
        let stub = try StubLLMServer { _ in Self.cohereReply([(0, 0.2), (1, 0.9), (2, 0.5)]) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let docs = dir.appendingPathComponent("docs.jsonl")
        try "{\"id\": \"a\", \"text\": \"alpha\"}\n{\"id\": \"b\", \"text\": \"beta\"}\n{\"id\": \"c\", \"text\": \"gamma\"}\n"
            .write(to: docs, atomically: true, encoding: .utf8)
        let out = try CLIRunner().run(["rerank", "--method", "remote", "--remote-url", "http://127.0.0.1:\(stub.port)/v1/rerank",
                                       "--remote-key-env", "LLMRANK_TEST_REMOTE_KEY", "--query", "q", "--docs", docs.path,
                                       "--format", "jsonl", "--no-cache"], environment: ["LLMRANK_TEST_REMOTE_KEY": "k-9876543210"])
        #expect(out.status == 0, "\(out.stderr)")
        let ids = try out.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))["id"] }
        #expect(ids == ["b", "c", "a"])
        #expect(!out.stderr.contains("k-9876543210"))
        let usage = try CLIRunner().run(["rerank", "--remote-api", "tei", "--query", "q", "--docs", docs.path])
        #expect(usage.status == 2 && usage.stderr.contains("--remote-url"), "\(usage.stderr)")
    }
}
