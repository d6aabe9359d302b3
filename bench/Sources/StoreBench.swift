import Foundation
import LLMRank

/// `llmrank-bench store`: what the judgment store adds to each judgment, through `CachedChat` as a
/// run uses it (single flight, lookup, store), with an upstream that answers at once: SQLite on a
/// temporary file against PostgreSQL on loopback (`LLMRANK_BENCH_POSTGRES_URL`, else
/// `LLMRANK_TEST_POSTGRES_URL`, in the schema `llmrank_bench`, emptied before and after).
enum StoreBench {
    /// An endpoint that answers at once with a short reply and its usage.
    struct InstantUpstream: ChatCompleting {
        var endpointIdentity: String { "bench/instant" }
        func complete(_ request: ChatRequest) async throws -> ChatResult {
            ChatResult(response: ChatResponse(content: "{\"score\": 3}", finishReason: "stop",
                                              usage: Usage(promptTokens: 180, completionTokens: 6), model: "bench"),
                       record: CallRecord(attempts: 1, usage: Usage(promptTokens: 180, completionTokens: 6), status: 200))
        }
    }

    static func request(_ i: Int, _ run: String) -> ChatRequest {
        ChatRequest(model: "bench", messages: [.system("Judge relevance 1-5."), .user("query \(run) passage \(i): " + String(repeating: "text ", count: 120))],
                    temperature: 0, maxTokens: 8)
    }

    static func run(judgments: Int, writers: Int) async throws {
        var stores: [(String, () async throws -> (any JudgmentStore, () async -> Void))] = [
            ("SQLite (WAL, file)", {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let store = try await SQLiteJudgmentStore.open(path: dir.appendingPathComponent("j.sqlite"))
                return (store, { await store.close(); try? FileManager.default.removeItem(at: dir) })
            }),
        ]
        let env = ProcessInfo.processInfo.environment
        if let base = env["LLMRANK_BENCH_POSTGRES_URL"] ?? env["LLMRANK_TEST_POSTGRES_URL"], !base.isEmpty {
            stores.append(("PostgreSQL (loopback)", {
                let store = try await PostgresJudgmentStore.open(url: try PostgresURL(base + (base.contains("?") ? "&" : "?") + "schema=llmrank_bench"))
                try await store.clear()
                return (store, {
                    _ = try? await store.clear()
                    await store.close()
                })
            }))
        } else {
            print("(no PostgreSQL: set LLMRANK_BENCH_POSTGRES_URL or LLMRANK_TEST_POSTGRES_URL for its row)")
        }
        print("store                  | miss p50 ms | miss p99 ms | hit p50 ms | hit p99 ms | judgments/s, \(writers) writers")
        print("---|---:|---:|---:|---:|---:")
        for (name, make) in stores {
            let (store, teardown) = try await make()
            let chat = CachedChat(upstream: InstantUpstream(), store: store, methodVersion: "bench/store/1")
            var miss: [Double] = [], hit: [Double] = []
            let clock = ContinuousClock()
            for i in 0..<judgments {
                let t0 = clock.now
                _ = try await chat.complete(request(i, "seq"))
                miss.append(milliseconds(clock.now - t0))
            }
            for i in 0..<judgments {
                let t0 = clock.now
                _ = try await chat.complete(request(i, "seq"))
                hit.append(milliseconds(clock.now - t0))
            }
            let perWriter = judgments / writers
            let t0 = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for i in 0..<perWriter { _ = try await chat.complete(request(i, "w\(w)")) }
                    }
                }
                try await group.waitForAll()
            }
            let rate = Double(perWriter * writers) / (milliseconds(clock.now - t0) / 1000)
            miss.sort()
            hit.sort()
            print(String(format: "%@ | %.2f | %.2f | %.2f | %.2f | %.0f", name, percentile(miss, 0.5), percentile(miss, 0.99),
                         percentile(hit, 0.5), percentile(hit, 0.99), rate))
            await teardown()
        }
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
