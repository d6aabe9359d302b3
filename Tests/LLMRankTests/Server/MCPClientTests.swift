import Foundation
import LLMRank
import LLMRankTestSupport
import Testing

/// The Python `mcp` client (modelcontextprotocol's SDK, from the venv of
/// `scripts/setup-client-tests`) runs `llmrank mcp` over stdio: it lists the tools, and `rerank`
/// gives the order `llmrank rerank` gives with the same profile.
@Suite(.needsEncoderModel, .needsClientVenv) struct MCPClientTests {
    @Test func thePythonClientGetsTheOrderOfLlmrankRerank() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let texts = ServerShapeTests.texts
        let docsJSON = dir.appendingPathComponent("docs.json")
        try JSONEncoder().encode(texts).write(to: docsJSON)
        let docsJSONL = dir.appendingPathComponent("docs.jsonl")
        let lines = try texts.enumerated().map { i, t in
            String(decoding: try JSONEncoder().encode(JSONValue.object(["id": .string(String(i)), "text": .string(t)])), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: docsJSONL, atomically: true, encoding: .utf8)

        let cli = try CLIRunner()
        let home = ProcessInfo.processInfo.environment["LLMRANK_HOME"].map { ["LLMRANK_HOME": $0] } ?? [:]
        let rerank = try cli.run(["rerank", "--profile", "encoder", "--query", ServerShapeTests.query, "--docs", docsJSONL.path,
                                  "--format", "jsonl", "--no-cache"], environment: home)
        #expect(rerank.status == 0, "\(rerank.stderr)")
        let expected = try rerank.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))["id"] }

        let output = try await OnThread.run {
            try ClientVenv.run(["\(RealClientTests.repository.path)/scripts/client-tests/check_mcp.py", "--llmrank", cli.executable.path,
                                "--profile", "encoder", "--query", ServerShapeTests.query, "--docs", docsJSON.path])
        }
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(output.utf8))
        #expect(report["tools"] == ["profiles", "rerank"])
        #expect(report["order"]?.arrayValue == expected, "\(output)")
        #expect(report["profiles"] == ["encoder"])
        #expect(report["bad_is_error"] == true && report["bad_text"]?.stringValue?.contains("documents") == true, "\(output)")
    }
}
