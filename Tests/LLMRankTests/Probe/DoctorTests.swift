import Foundation
import Logging
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// `EndpointProbe` and `llmrank doctor` against endpoints with different abilities.
@Suite struct DoctorTests {
    /// An endpoint that honours json_object, ignores json_schema (answers with extra keys), and
    /// returns logprobs with three alternatives.
    static func partialEndpoint() throws -> StubLLMServer {
        try StubLLMServer { req in
            let body = req.json
            if body?["logprobs"] == true {
                return StubLLMServer.reply("Yes", logprobs: [.init("Yes", -0.2, top: [("Yes", -0.2), ("No", -1.8), ("yes", -4)])])
            }
            switch body?["response_format"]?["type"]?.stringValue {
            case "json_object": return StubLLMServer.reply(#"{"answer": 4}"#)
            case "json_schema": return StubLLMServer.reply(#"{"color": "purple", "why": "I like it"}"#)
            default: return StubLLMServer.reply("pong")
            }
        }
    }

    /// Probes `baseURL` with a scoped client, one attempt a request.
    static func probe(_ baseURL: String, key: String? = nil, latencySamples: Int = 3) async throws -> ProbeReport {
        var config = ChatClientConfiguration(baseURL: baseURL, apiKey: key)
        config.maxAttempts = 1
        return try await ChatClient.withClient(configuration: config,
                                               logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })) {
            await EndpointProbe.run(client: $0, model: "m", latencySamples: latencySamples)
        }
    }

    @Test func probeFindsWhatTheEndpointOffers() async throws {
        let server = try Self.partialEndpoint()
        let report = try await Self.probe(server.baseURL)
        #expect(report.ok)
        #expect(report.capabilities == EndpointCapabilities(jsonObject: true, jsonSchema: false, logprobs: true, topLogprobs: 3))
        #expect(report.medianLatency != nil)
        #expect(report.checks.map(\.name) == ["reachable", "key accepted", "chat", "json_object", "json_schema", "logprobs"])
        // 3 pings + json_object + json_schema + logprobs
        #expect(server.requestCount == 6)
    }

    @Test func probeStopsAtARejectedKey() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(401, "Incorrect API key provided") }
        let report = try await Self.probe(server.baseURL, key: "sk-bad-0000000000")
        #expect(!report.ok)
        #expect(report.fatal?.status == 401, "\(report.checks.map { "\($0.name): \($0.detail)" })")
        #expect(report.checks.last?.name == "key accepted")
        #expect(server.requestCount == 1)
    }

    @Test func probeReportsAnUnreachableEndpoint() async throws {
        let server = try StubLLMServer { _ in .close }
        let base = server.baseURL
        server.stop()
        let report = try await Self.probe(base)
        #expect(report.fatal?.kind == .transport)
        #expect(report.checks.map(\.name) == ["reachable"])
    }

    @Test func doctorCommandPrintsTheReportAndExitsZero() throws {
        let server = try Self.partialEndpoint()
        let outcome = try CLIRunner().run(["doctor", "--base-url", server.baseURL, "--model", "m", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(outcome.stdout.utf8))
        #expect(report["capabilities"]?["json_object"] == true)
        #expect(report["capabilities"]?["json_schema"] == false)
        #expect(report["capabilities"]?["top_logprobs"] == 3)
    }

    @Test func doctorExitsNonZeroOnARejectedKeyWithoutPrintingIt() throws {
        let server = try StubLLMServer { req in
            StubLLMServer.error(401, "Incorrect API key provided: \(req.headers["authorization"] ?? "")")
        }
        let key = "sk-live-abcdefghijklmnop"
        let outcome = try CLIRunner().run(["doctor", "--base-url", server.baseURL, "--max-attempts", "1"],
                                          environment: ["OPENAI_API_KEY": key])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("401 Unauthorized from \(server.baseURL)/chat/completions"))
        #expect(outcome.stderr.contains("(key from OPENAI_API_KEY)\n"))
        // The advice is the CLI's, on a line of its own.
        #expect(outcome.stderr.contains("\nllmrank: check the API key: OPENAI_API_KEY, or the variable --api-key-env names\n"))
        #expect(!(outcome.stdout + outcome.stderr).contains(key))
    }

    @Test func doctorSaysWhatToCheckForAnUnknownModelOrPath() throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(404, "The model `m` does not exist") }
        let outcome = try CLIRunner().run(["doctor", "--base-url", server.baseURL, "--model", "m", "--max-attempts", "1"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr == """
            llmrank: 404 Not Found from \(server.baseURL)/chat/completions: The model `m` does not exist
            llmrank: check --base-url and --model

            """)
    }
}
