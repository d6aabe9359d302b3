import Foundation
import LLMRank
import LLMRankTestSupport
import Synchronization
import Testing

/// `llmrank mcp` as an agent runs it: JSON-RPC over the binary's stdin and stdout, the `rerank` and
/// `profiles` tools, against a stub endpoint.
@Suite struct MCPCommandTests {
    final class Lines: Sendable {
        let text = Mutex("")

        /// The reply to request `id`, once it has come.
        func reply(_ id: Int) -> JSONValue? {
            text.withLock { $0 }.split(separator: "\n").lazy
                .compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
                .first { $0["id"] == .number(Double(id)) }
        }
    }

    @Test func rerankAndProfilesTools() async throws {
        let stub = try StubLLMServer { req in StubLLMServer.reply((req.lastUserMessage ?? "").contains("zebra") ? "Score: 5" : "Score: 1") }
        let process = Process()
        process.executableURL = try CLIRunner().executable
        process.arguments = ["mcp", "--base-url", stub.baseURL, "--model", "m", "--method", "pointwise", "--json-mode", "off",
                             "--no-cache", "--max-attempts", "1"]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                               "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let lines = Lines()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            lines.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let requests: [JSONValue] = [
            ["jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]]],
            ["jsonrpc": "2.0", "method": "notifications/initialized"],
            ["jsonrpc": "2.0", "id": 2, "method": "tools/list"],
            ["jsonrpc": "2.0", "id": 3, "method": "tools/call",
             "params": ["name": "rerank", "arguments": ["query": "q", "documents": ["plain", ["id": "z", "text": "a zebra"]], "top_n": 1]]],
            ["jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": ["name": "rerank", "arguments": ["query": "q", "documents": [3]]]],
            ["jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": ["name": "profiles", "arguments": [:]]],
        ]
        for request in requests {
            input.fileHandleForWriting.write(try JSONEncoder().encode(request) + Data("\n".utf8))
        }
        #expect(try await eventually(within: .seconds(60)) { (1...5).allSatisfy { lines.reply($0) != nil } }, "\(lines.text.withLock { $0 })")
        #expect(lines.reply(1)?["result"]?["serverInfo"]?["name"] == "llmrank")
        #expect(lines.reply(2)?["result"]?["tools"]?.arrayValue?.map { $0["name"] } == ["rerank", "profiles"])
        let rerank = try #require(lines.reply(3)?["result"])
        #expect(rerank["isError"] == nil || rerank["isError"] == false)
        let candidates = rerank["structuredContent"]?["candidates"]?.arrayValue
        #expect(candidates?.map { $0["id"] } == ["z"])
        #expect(candidates?.first?["relevance_score"] == 1)
        let bad = try #require(lines.reply(4)?["result"])
        #expect(bad["isError"] == true)
        #expect(bad["content"]?.arrayValue?.first?["text"]?.stringValue?.hasPrefix("documents[0]:") == true)
        #expect(lines.reply(5)?["result"]?["structuredContent"]?["items"]?.arrayValue?.first?["name"] == "default")
        #expect(stub.requestCount == 2)
        try input.fileHandleForWriting.close()
        #expect(try await eventually(within: .seconds(20)) { !process.isRunning })
        #expect(process.terminationStatus == 0)
    }
}
