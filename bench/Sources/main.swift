import Foundation
import LLMRank
import LLMRankTestSupport
import Logging

// llmrank-bench: benchmarks that print figures, and `simulate`, a qrels-aware simulated judge on a loopback port.
let arguments = Array(CommandLine.arguments.dropFirst())
let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { return fallback }
    return v
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

switch arguments.first {
case "client":
    try await ClientBench.run(calls: option("--calls", 2000), peer: arguments.contains("--peer"))
case "judge":
    try await JudgeBench.run(documents: option("--docs", 100), latencyMs: option("--latency-ms", 200),
                             concurrency: option("--concurrency", 16), peer: arguments.contains("--peer"))
case "store":
    try await StoreBench.run(judgments: option("--judgments", 2000), writers: option("--writers", 16))
case "simulate":
    try SimulateServe.run(arguments: arguments)
default:
    print("usage: llmrank-bench client [--calls N] [--peer] | judge [--docs 100] [--latency-ms 200] [--concurrency 16] [--peer]")
    print("       llmrank-bench store [--judgments 2000] [--writers 16]")
    print("       llmrank-bench simulate --qrels FILE --run FILE [--corpus FILE --topics FILE] [--noise SD] [--seed S] [--port P]")
}
