import Foundation
import LLMRank
import LLMRankServer
import LLMRankTestSupport
import Synchronization
import Testing

/// The native route's per-request overrides (method, budget) and `GET /ready`'s endpoint probe,
/// against a stub endpoint over real HTTP.
@Suite(.serialized) struct ServerOverrideTests {
    static let documents: JSONValue = ["an unrelated passage", "a zebra passage", "another unrelated one"]

    /// Answers yes/no prompts by "zebra" and pointwise ones with a grade.
    static func stub() throws -> StubLLMServer {
        try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            let zebra = text.contains("zebra")
            if text.localizedCaseInsensitiveContains("yes or no") {
                return StubLLMServer.reply(zebra ? "Yes" : "No")
            }
            return StubLLMServer.reply(zebra ? "Score: 5" : "Score: 1")
        }
    }

    @Test func aRequestRunsAnotherJudgeMethodOverTheSameEndpoint() async throws {
        let stub = try Self.stub()
        try await ServerHarness.with(ServerErrorTests.settings(stub)) { server in
            let reply = try await server.post("/llmrank/v1/rerank", ["query": "q", "documents": Self.documents, "method": "yesno"])
            #expect(reply.status == 200, "\(reply.body)")
            let stages = reply.body["trace"]?["stages"]?.arrayValue?.compactMap { $0["stage"]?.stringValue }
            #expect(stages == ["yesno"])
            let first = reply.body["candidates"]?.arrayValue?.first
            #expect(first?["id"] == "1" && first?["stage_scores"]?["yesno"] != nil, "\(reply.body)")
            #expect(first?["flags"]?.arrayValue?.contains { $0["code"] == "fallback" } == false, "\(reply.body)")
            // The profile's own method still runs when the request names none.
            let plain = try await server.post("/llmrank/v1/rerank", ["query": "q", "documents": Self.documents])
            #expect(plain.body["trace"]?["stages"]?.arrayValue?.first?["stage"] == "pointwise")
        }
    }

    @Test func aBudgetOverrideLimitsTheCalls() async throws {
        let stub = try Self.stub()
        try await ServerHarness.with(ServerErrorTests.settings(stub)) { server in
            let reply = try await server.post("/llmrank/v1/rerank", ["query": "q", "documents": Self.documents,
                                                                     "budget": ["max_calls": 1]])
            #expect(reply.status == 200, "\(reply.body)")
            #expect(stub.requestCount == 1)
            let flags = reply.body["candidates"]?.arrayValue?.flatMap { $0["flags"]?.arrayValue ?? [] }.compactMap { $0["code"]?.stringValue }
            #expect(flags?.filter { $0 == "budget-exhausted" }.count == 2, "\(reply.body)")
        }
    }

    @Test func badOverridesAre4xxsNamingTheField() async throws {
        let stub = try Self.stub()
        let cases: [(JSONValue, Int, String, String)] = [
            (["method": "encoder"], 409, "method", "no encoder stage"),
            (["method": ""], 422, "method", "is not one of"),
            (["method": "nonsense"], 422, "method", "is not one of"),
            (["method": 3], 422, "method", "expected a string"),
            (["budget": 5], 422, "budget", "expected an object"),
            (["budget": ["max_calls": 0]], 422, "budget.max_calls", "between 1"),
            (["budget": ["max_tokens": "many"]], 422, "budget.max_tokens", "expected an integer"),
            (["budget": ["deadline": -1]], 422, "budget.deadline", "seconds"),
            (["budget": ["colour": 1]], 422, "budget.colour", "unknown field"),
        ]
        try await ServerHarness.with(ServerErrorTests.settings(stub)) { server in
            for (extra, status, field, words) in cases {
                var body: [String: JSONValue] = ["query": "q", "documents": Self.documents]
                for (k, v) in extra.objectValue ?? [:] { body[k] = v }
                let reply = try await server.post("/llmrank/v1/rerank", .object(body))
                #expect(reply.status == status, "\(extra): \(reply.body)")
                #expect(reply.body["field"] == .string(field), "\(extra): \(reply.body)")
                #expect(reply.body["message"]?.stringValue?.contains(words) == true, "\(extra): \(reply.body)")
            }
            #expect(stub.requestCount == 0)
        }
    }

    @Test func readyIs503WhileTheEndpointIsDownAnd200OnceItIsUp() async throws {
        let up = Mutex(false)
        let stub = try StubLLMServer { _ in up.withLock { $0 } ? StubLLMServer.reply("pong") : StubLLMServer.error(503, "loading model") }
        var settings = ServerErrorTests.settings(stub)
        settings.readyCache = .zero
        try await ServerHarness.with(settings) { server in
            let down = try await server.request("GET", "/ready")
            #expect(down.status == 503)
            let reasons = try down.json()["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(reasons.count == 1 && reasons[0].contains("profile judge") && reasons[0].contains("503"), "\(reasons)")
            up.withLock { $0 = true }
            let ready = try await server.request("GET", "/ready")
            #expect(ready.status == 200, "\(ready.text)")
            #expect(try ready.json()["status"] == "ready")
        }
    }

    @Test func readyProbesOncePerCachePeriodNotPerRequest() async throws {
        let stub = try StubLLMServer { _ in StubLLMServer.reply("pong") }
        var settings = ServerErrorTests.settings(stub)
        settings.readyCache = .seconds(600)
        try await ServerHarness.with(settings) { server in
            for _ in 0..<3 {
                let status = try await server.request("GET", "/ready").status
                #expect(status == 200)
            }
            #expect(stub.requestCount == 1)
            #expect(stub.requests.first?.path.hasSuffix("/chat/completions") == true)
        }
    }
}
