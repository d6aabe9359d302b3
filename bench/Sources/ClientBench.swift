import Foundation
import LLMRank
import LLMRankTestSupport

/// Client overhead per call against a loopback server that answers at once: calls/s and p50/p99
/// at concurrency 1 and 8. With --peer, the same calls through the Python `openai` SDK (the client
/// RankGPT and rank_llm use), against the same server, in the same run.
enum ClientBench {
    static func run(calls: Int, peer: Bool) async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("4") }
        let request = ChatRequest(model: "m", messages: [.system("You judge relevance."), .user("Query: q\nPassage: p\nScore:")],
                                  temperature: 0, maxTokens: 4)
        print("client overhead: \(calls) calls against a loopback server that answers at once")
        print("client            concurrency   calls/s    p50 ms   p99 ms")
        for concurrency in [1, 8] {
            var config = ChatClientConfiguration(baseURL: server.baseURL)
            config.maxConcurrency = concurrency
            let (latencies, elapsed) = try await ChatClient.withClient(configuration: config, logger: logger) { client in
                for _ in 0..<50 { _ = try await client.complete(request) }  // warm up: connections, caches
                let clock = ContinuousClock()
                let start = clock.now
                let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                    for worker in 0..<concurrency {
                        group.addTask {
                            var mine: [Double] = []
                            var i = worker
                            while i < calls {
                                let t = clock.now
                                _ = try await client.complete(request)
                                mine.append((clock.now - t).seconds * 1000)
                                i += concurrency
                            }
                            return mine
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }.sorted()
                }
                return (latencies, (clock.now - start).seconds)
            }
            print(String(format: "llmrank (libcurl)  %10ld %9.0f %9.3f %8.3f", concurrency, Double(calls) / elapsed,
                         percentile(latencies, 0.5), percentile(latencies, 0.99)))
        }
        fflush(nil)
        guard peer else { return }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("client_peer.py").path
        let python = ProcessInfo.processInfo.environment["LLMRANK_BENCH_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, server.baseURL, String(calls)]
        try process.run()
        process.waitUntilExit()
    }
}
