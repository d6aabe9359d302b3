import Foundation
import InMemoryLogging
import LLMRank
import LLMRankServer
import LLMRankTestSupport
import Logging
import Testing

/// Keys, admission, the request timeout, the cache across requests, metrics and the judge's score
/// mapping, against a stub endpoint over real HTTP.
@Suite(.serialized) struct ServerOperationTests {
    static let documents: JSONValue = ["an unrelated passage", "a zebra passage", "another unrelated one"]

    @Test func keysAreRequiredAndNeverLogged() async throws {
        let key = "srv-key-0123456789abcdef"
        let stub = try ServerErrorTests.gradingStub()
        var settings = ServerErrorTests.settings(stub)
        settings.serverKeys = ["other-key", key]
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        try await ServerHarness.with(settings, logger: logger) { server in
            let body: JSONValue = ["query": "q", "documents": Self.documents]
            let missing = try await server.post("/v1/rerank", body)
            #expect(missing.status == 401)
            let wrong = try await server.request("POST", "/v1/rerank", json: body, headers: ["Authorization": "Bearer \(key)x"])
            #expect(wrong.status == 401 && wrong.headers["www-authenticate"] == "Bearer")
            let right = try await server.request("POST", "/v1/rerank", json: body, headers: ["Authorization": "Bearer \(key)"])
            #expect(right.status == 200)
            #expect(try await server.request("GET", "/health").status == 200)
            #expect(try await server.request("GET", "/metrics").status == 401)
            for reply in [missing.body, try wrong.json(), try right.json()] { #expect(!"\(reply)".contains(key)) }
        }
        #expect(!logs.entries.isEmpty)
        for entry in logs.entries { #expect(!"\(entry.message) \(entry.metadata)".contains(key)) }
    }

    @Test func aNonLoopbackHostNeedsKeys() throws {
        var settings = ServerSettings(profiles: ["p": RerankerConfiguration()], defaultProfile: "p", host: "0.0.0.0")
        #expect(throws: LLMRankError.self) { try settings.validate() }
        settings.allowUnauthenticated = true
        try settings.validate()
        settings.allowUnauthenticated = false
        settings.serverKeys = ["k"]
        try settings.validate()
    }

    /// One slot: while a slow request runs, the next gets 429 with Retry-After; afterwards it is served.
    @Test func admissionRefusesBeyondMaxInflight() async throws {
        let stub = try ServerErrorTests.gradingStub(delay: .milliseconds(1500))
        var settings = ServerErrorTests.settings(stub)
        settings.maxInflight = 1
        try await ServerHarness.with(settings) { server in
            let body: JSONValue = ["query": "q", "documents": ["a zebra"]]
            async let slow = server.post("/v1/rerank", body)
            #expect(try await eventually { stub.requestCount >= 1 })
            let refused = try await server.request("POST", "/v1/rerank", json: body)
            #expect(refused.status == 429)
            #expect(refused.headers["retry-after"] == "1")
            #expect(try await slow.status == 200)
            let metrics = try await server.request("GET", "/metrics").text
            #expect(metrics.contains("llmrank_admission_rejected_total 1"))
            #expect(try await server.post("/v1/rerank", body).status == 200)
        }
    }

    /// A request that outlives --request-timeout returns what the pipeline has: documents not yet
    /// judged keep their order, flagged, with a 200.
    @Test(.timeLimit(.minutes(1))) func theRequestTimeoutReturnsWhatThePipelineHas() async throws {
        let stub = try ServerErrorTests.gradingStub(delay: .milliseconds(400))
        var settings = ServerErrorTests.settings(stub)
        settings.profiles["judge"]?.endpoint.concurrency = 1
        settings.requestTimeout = .milliseconds(600)
        try await ServerHarness.with(settings) { server in
            let (status, body) = try await server.post("/llmrank/v1/rerank", ["query": "q", "documents": ["a", "b", "c", "d", "a zebra"]])
            #expect(status == 200)
            #expect(stub.requestCount < 5)   // cut short: not every document was sent
            let candidates = try #require(body["candidates"]?.arrayValue)
            #expect(candidates.count == 5)
            let flagged = candidates.filter { $0["flags"]?.arrayValue?.contains { $0["code"] == "budget-exhausted" } == true }
            #expect(!flagged.isEmpty)
        }
    }

    /// A served LLM profile answers a repeated request from the judgment cache; the pointwise 1-5
    /// grade maps to (g - 1) / 4; metrics count calls and cache hits.
    @Test func aRepeatedRequestIsAnsweredFromTheCache() async throws {
        let stub = try ServerErrorTests.gradingStub()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-serve-\(UUID().uuidString).sqlite")
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + s) } }
        let settings = ServerSettings(profiles: ["judge": ServerErrorTests.judgeProfile(stub, store: .sqlite(path: file.path))], defaultProfile: "judge")
        try await ServerHarness.with(settings) { server in
            let body: JSONValue = ["model": "judge", "query": "q", "documents": Self.documents]
            let first = try await server.post("/v1/rerank", body)
            #expect(first.status == 200)
            #expect(stub.requestCount == 3)
            let second = try await server.post("/v1/rerank", body)
            #expect(stub.requestCount == 3)
            #expect(second.body["results"] == first.body["results"])
            let results = try #require(first.body["results"]?.arrayValue)
            #expect(results.first?["index"] == 1 && results.first?["relevance_score"] == 1)
            let scores = results.compactMap { $0["relevance_score"]?.doubleValue }
            #expect(scores[1] == 0 || scores[1] < 1e-5)    // grade 1 -> 0, kept strictly decreasing
            #expect(scores[1] > scores[2])
            let native = try await server.post("/llmrank/v1/rerank", body)
            #expect(native.body["trace"]?["cache_hits"] == 3 && native.body["trace"]?["calls"] == 0)
            let metrics = try await server.request("GET", "/metrics").text
            #expect(metrics.contains(#"llmrank_llm_calls_total{profile="judge"} 3"#))
            #expect(metrics.contains(#"llmrank_cache_hits_total{profile="judge"} 6"#))
            #expect(metrics.contains(#"llmrank_http_requests_total{route="/v1/rerank",status="200"} 2"#))
            #expect(metrics.contains("llmrank_http_request_duration_seconds_bucket"))
        }
    }

    /// Repeated ids on the native route stay apart: `index` tells which document each is.
    @Test func repeatedIdsStayApart() async throws {
        let stub = try ServerErrorTests.gradingStub()
        try await ServerHarness.with(ServerErrorTests.settings(stub)) { server in
            let (status, body) = try await server.post("/llmrank/v1/rerank", ["query": "q", "documents": [["id": "a", "text": "plain"], ["id": "a", "text": "a zebra"], "x"]])
            #expect(status == 200)
            let candidates = try #require(body["candidates"]?.arrayValue)
            #expect(candidates.map { $0["id"] } == ["a", "a", "2"])
            #expect(candidates.map { $0["index"] } == [1, 0, 2])
        }
    }

    /// An endpoint that is down is a 502, not the client's fault and not a flagged 200.
    @Test func aDeadEndpointIsABadGateway() async throws {
        let stub = try StubLLMServer { _ in StubLLMServer.error(500, "down") }
        try await ServerHarness.with(ServerErrorTests.settings(stub)) { server in
            let (status, body) = try await server.post("/v1/rerank", ["query": "q", "documents": ["a"]])
            #expect(status == 502)
            #expect(body["error_type"] == "upstream")
        }
    }
}
