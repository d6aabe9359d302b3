import Foundation
import LLMRank
import LLMRankServer
import LLMRankTestSupport
import Testing

/// A client's mistakes are 4xx JSON errors that name the field, never a 5xx or a crash; the server
/// keeps answering after any bytes at all.
@Suite(.serialized) struct ServerErrorTests {
    /// A pointwise judge on a stub endpoint: passages that mention a zebra get 5, the rest 1.
    static func judgeProfile(_ stub: StubLLMServer, store: StoreSetting = .none) -> RerankerConfiguration {
        RerankerConfiguration(endpoint: EndpointSettings(baseURL: stub.baseURL, model: "m", maxAttempts: 1),
                              judge: JudgeSettings(method: .pointwise, jsonMode: .off), store: store)
    }

    static func gradingStub(delay: Duration = .zero) throws -> StubLLMServer {
        try StubLLMServer { req in
            StubLLMServer.reply((req.lastUserMessage ?? "").contains("zebra") ? "Score: 5" : "Score: 1", delay: delay)
        }
    }

    static func settings(_ stub: StubLLMServer) -> ServerSettings {
        ServerSettings(profiles: ["judge": judgeProfile(stub)], defaultProfile: "judge", maxDocuments: 5, maxBodyBytes: 4096)
    }

    /// (body, expected status, expected field) for every kind of bad request on /v1/rerank.
    static let cases: [(String, Int, String)] = [
        ("{\"query\": ", 400, "body"),
        ("", 400, "body"),
        ("[1, 2]", 422, "body"),
        ("{\"documents\": [\"a\"]}", 422, "query"),
        ("{\"query\": \"  \", \"documents\": [\"a\"]}", 422, "query"),
        ("{\"query\": 7, \"documents\": [\"a\"]}", 422, "query"),
        ("{\"query\": \"q\"}", 422, "documents"),
        ("{\"query\": \"q\", \"documents\": \"a\"}", 422, "documents"),
        ("{\"query\": \"q\", \"documents\": [\"a\", \"b\", \"c\", 4]}", 422, "documents[3]"),
        ("{\"query\": \"q\", \"documents\": [{\"txt\": \"a\"}]}", 422, "documents[0]"),
        ("{\"query\": \"q\", \"documents\": [{\"text\": 5}]}", 422, "documents[0].text"),
        ("{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": \"2\"}", 422, "top_n"),
        ("{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": 0}", 422, "top_n"),
        ("{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": 1.5}", 422, "top_n"),
        ("{\"query\": \"q\", \"documents\": [\"a\"], \"return_documents\": \"yes\"}", 422, "return_documents"),
        ("{\"query\": \"q\", \"documents\": [\"a\"], \"model\": 3}", 422, "model"),
        ("{\"query\": \"q\", \"documents\": [\"a\"], \"model\": \"nope\"}", 404, "model"),
        ("{\"query\": \"q\", \"documents\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", 413, "documents"),
        ("{\"query\": \"q\", \"documents\": [\"\(String(repeating: "x", count: 5000))\"]}", 413, "body"),
    ]

    @Test func badRequestsAreFourHundredsNamingTheField() async throws {
        let stub = try Self.gradingStub()
        try await ServerHarness.with(Self.settings(stub)) { server in
            for (body, status, field) in Self.cases {
                let reply = try await server.request("POST", "/v1/rerank", body: Data(body.utf8))
                #expect(reply.status == status, "\(body.prefix(60))")
                let json = try reply.json()
                #expect(json["field"] == .string(field), "\(body.prefix(60)): \(json)")
                #expect(json["message"]?.stringValue?.hasPrefix(field) == true, "\(json)")
                #expect(json["error"] == json["message"] && json["error_type"] != nil)
            }
            #expect(stub.requestCount == 0)
            // TEI and native shapes name their own fields.
            let tei = try await server.post("/rerank", ["query": "q", "texts": ["a", 2]])
            #expect(tei.status == 422 && tei.body["field"] == "texts[1]")
            let direction = try await server.post("/rerank", ["query": "q", "texts": ["a"], "truncation_direction": "up"])
            #expect(direction.status == 422 && direction.body["field"] == "truncation_direction")
            let id = try await server.post("/llmrank/v1/rerank", ["query": "q", "documents": [["id": "a", "text": "x"], ["id": 1.5, "text": "y"]]])
            #expect(id.status == 422 && id.body["field"] == "documents[1].id")
            let profile = try await server.post("/llmrank/v1/rerank", ["profile": "nope", "query": "q", "documents": ["a"]])
            #expect(profile.status == 404 && profile.body["message"]?.stringValue?.contains("served: judge") == true)
            // A sane X-Request-Id is echoed; anything else is replaced by a new one.
            let echoed = try await server.request("POST", "/v1/rerank", body: Data("{".utf8), headers: ["X-Request-Id": "trace-42.a"])
            #expect(echoed.headers["x-request-id"] == "trace-42.a")
            let replaced = try await server.request("POST", "/v1/rerank", body: Data("{".utf8), headers: ["X-Request-Id": "bad id!"])
            #expect(replaced.headers["x-request-id"].map { $0.count == 36 && $0 != "bad id!" } == true)
            // Unknown route and wrong method.
            #expect(try await server.request("GET", "/v1/nothing").status == 404)
            let wrong = try await server.request("GET", "/v1/rerank")
            #expect(wrong.status == 405 && wrong.headers["allow"] == "POST")
            #expect(stub.requestCount == 0)
        }
    }

    /// Garbage on the socket, a declared body over the limit, and a client that hangs up mid-body:
    /// no crash, no 5xx, and the next request is served.
    @Test func anyBytesOnThePortLeaveTheServerServing() async throws {
        let stub = try Self.gradingStub()
        try await ServerHarness.with(Self.settings(stub)) { server in
            let garbage = try await RawSocket.exchange(port: server.port, Data("\u{0}\u{1}GARBAGE \r\n\r\n\u{ff}\u{fe}".utf8))
            #expect(!garbage.hasPrefix("HTTP/1.1 5"))
            let declared = try await RawSocket.exchange(port: server.port, Data("POST /v1/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{".utf8))
            #expect(declared.hasPrefix("HTTP/1.1 413"), "\(declared.prefix(80))")
            _ = try await RawSocket.exchange(port: server.port, Data("POST /v1/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"qu".utf8),
                                             hangUp: true)
            var random = SystemRandomNumberGenerator()
            for _ in 0..<20 {
                let bytes = Data((0..<Int.random(in: 1...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
                let reply = try await RawSocket.exchange(port: server.port, Data("POST /v1/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8) + bytes)
                #expect(reply.hasPrefix("HTTP/1.1 4"), "\(reply.prefix(80))")
            }
            let (status, body) = try await server.post("/v1/rerank", ["query": "q", "documents": ["plain", "a zebra"]])
            #expect(status == 200)
            #expect(body["results"]?.arrayValue?.first?["index"] == 1)
        }
    }
}
