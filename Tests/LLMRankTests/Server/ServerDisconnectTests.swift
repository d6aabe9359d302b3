import Foundation
import LLMRank
import LLMRankTestSupport
import Testing

/// A client that hangs up mid-rerank cancels the LLM calls still outstanding.
@Suite struct ServerDisconnectTests {
    @Test func aClientThatHangsUpCancelsItsCalls() async throws {
        // The first documents' replies are due only after a minute, so the stub sees the call
        // abandoned only if the server cancels it (also on a busy machine); "zebra" answers at once.
        let stub = try StubLLMServer { req in
            let zebra = (req.lastUserMessage ?? "").contains("zebra")
            return StubLLMServer.reply(zebra ? "Score: 5" : "Score: 1", delay: zebra ? .zero : .seconds(60))
        }
        var settings = ServerErrorTests.settings(stub)
        settings.profiles["judge"]?.endpoint.concurrency = 1
        try await ServerHarness.with(settings) { server in
            let body = try JSONEncoder().encode(["query": "q", "documents": ["a", "b", "c", "d"]] as JSONValue)
            let connection = try RawSocket.Held(port: server.port,
                                                Data("POST /v1/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            #expect(try await eventually { stub.requestCount == 1 })
            connection.close()
            #expect(try await eventually { stub.abandoned == 1 })
            try await Task.sleep(for: .milliseconds(1500))     // a next document's call would have started by now
            #expect(stub.requestCount == 1)
            let metrics = try await server.request("GET", "/metrics").text
            #expect(metrics.contains(#"llmrank_http_requests_total{route="/v1/rerank",status="499"} 1"#), "\(metrics)")
            #expect(try await server.post("/v1/rerank", ["query": "q", "documents": ["a zebra"]]).status == 200)
        }
    }
}
