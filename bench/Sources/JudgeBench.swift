import Foundation
import LLMRank
import LLMRankTestSupport

/// 100 documents judged pointwise against a loopback endpoint that takes `latencyMs` per reply,
/// at `concurrency` requests in flight: wall time against the ideal ceil(n / c) x latency, then the
/// same run again from the judgment cache (zero calls). With --peer, the same calls through the
/// Python `openai` SDK, one at a time (how LangChain's LLMChainFilter and most notebooks judge)
/// and with asyncio at the same concurrency.
enum JudgeBench {
    static func run(documents n: Int, latencyMs: Int, concurrency: Int, peer: Bool) async throws {
        let server = try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            let grade = (text.count % 5) + 1
            return StubLLMServer.reply(#"{"score": \#(grade)}"#, delay: .milliseconds(latencyMs))
        }
        let cacheURL = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-judge-bench-\(getpid()).sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cacheURL.path + suffix) } }
        // The same path as `llmrank rerank --method pointwise`: a Reranker from a configuration.
        let configuration = RerankerConfiguration(
            endpoint: EndpointSettings(baseURL: server.baseURL, model: "m", concurrency: concurrency),
            judge: JudgeSettings(method: .pointwise), store: .sqlite(path: cacheURL.path))
        let docs = (0..<n).map { Document(id: "d\($0)", text: "passage \($0) " + String(repeating: "x", count: $0 % 7)) }
        let query = Query(text: "what is the benchmark query")
        let ideal = Double((n + concurrency - 1) / concurrency) * Double(latencyMs) / 1000
        print("judge benchmark: \(n) documents, pointwise, \(latencyMs) ms per reply, concurrency \(concurrency)")
        print("run                        wall s   ideal s   calls  cache hits")
        let clock = ContinuousClock()
        try await Reranker.with(configuration) { reranker in
            for label in ["llmrank, cold cache", "llmrank, warm cache"] {
                let before = server.requestCount
                let start = clock.now
                let result = try await reranker.rerank(query: query, documents: docs)
                let wall = (clock.now - start).seconds
                let idealText = label.hasSuffix("cold cache") ? String(format: "%9.3f", ideal) : "        -"
                print(label.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: " %9.3f ", wall) + idealText
                    + String(format: " %7ld %11ld", server.requestCount - before, result.trace.cacheHits))
            }
        }
        fflush(nil)
        guard peer else { return }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("judge_peer.py").path
        let python = ProcessInfo.processInfo.environment["LLMRANK_BENCH_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, server.baseURL, String(n), String(concurrency)]
        try process.run()
        process.waitUntilExit()
    }
}
