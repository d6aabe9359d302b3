// Scores the TREC DL19 BM25 top-100 pairs with llmrank's local encoder and prints one JSON line:
// pairs/s, NDCG@10 (trec_eval semantics), peak resident memory. bench/encoder/run runs it beside
// sentence-transformers and prints both side by side.
//
//   llmrank-encoder-bench [--model NAME_OR_DIR] [--data DIR] [--precision float32|bfloat16]
//                         [--batch N] [--threads N] [--queries N]
import Foundation
import LLMRank

struct Arguments {
    var model = "all-MiniLM-L6-v2"
    var data = "../shared/data/trec-dl19"
    var precision = EncoderPrecision.float32
    var batch = 32
    var threads: Int?
    var queries = Int.max

    init() {
        var args = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = args.next() {
            guard let value = args.next() else { fail("\(flag) needs a value") }
            switch flag {
            case "--model": model = value
            case "--data": data = value
            case "--precision": precision = EncoderPrecision(rawValue: value) ?? { fail("unknown precision \(value)") }()
            case "--batch": batch = Int(value) ?? 32
            case "--threads": threads = Int(value)
            case "--queries": queries = Int(value) ?? .max
            default: fail("unknown flag \(flag)")
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("llmrank-encoder-bench: \(message)\n".utf8))
    exit(2)
}

/// NDCG@10 as trec_eval computes it: linear gain, log2 discount, ideal from all judged documents.
func ndcg10(ranked: [String], judgments: [String: Int]) -> Double {
    func dcg(_ gains: [Int]) -> Double {
        gains.prefix(10).enumerated().reduce(0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
    }
    let ideal = dcg(judgments.values.filter { $0 > 0 }.sorted(by: >))
    return ideal > 0 ? dcg(ranked.map { max(0, judgments[$0] ?? 0) }) / ideal : 0
}

/// CPU time this process has used (all threads), in seconds.
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Peak resident set of this process, in MB (VmHWM).
func peakMemoryMB() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    {
        return kb / 1024
    }
    return .nan
}

struct Topic { var qid: String; var query: String; var docids: [String]; var texts: [String] }

func loadTopics(_ dir: String) throws -> ([Topic], [String: [String: Int]]) {
    let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/bm25-top100.json"))) as? [[String: Any]] ?? []
    let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/qrels.json"))) as? [String: [String: Any]] ?? [:]
    let qrels = raw.mapValues { $0.mapValues { ($0 as? String).flatMap { Int($0) } ?? ($0 as? NSNumber)?.intValue ?? 0 } }
    let topics = run.map { entry -> Topic in
        let hits = entry["hits"] as? [[String: Any]] ?? []
        return Topic(qid: hits.first.map { "\($0["qid"] ?? "")" } ?? "", query: entry["query"] as? String ?? "",
                     docids: hits.map { "\($0["docid"] ?? "")" }, texts: hits.map { $0["content"] as? String ?? "" })
    }
    return (topics, qrels)
}

let args = Arguments()
do {
    let (allTopics, qrels) = try loadTopics(args.data)
    let topics = Array(allTopics.prefix(args.queries))
    let encoder = try LocalEncoder.load(nameOrPath: args.model, precision: args.precision)
    let options = EncoderOptions(batchSize: args.batch, threads: args.threads)
    // One warm-up query (page faults, thread start), not timed.
    _ = try await encoder.score(query: topics[0].query, documents: Array(topics[0].texts.prefix(8)), options: options)
    var ndcg = 0.0, pairs = 0, truncated = 0
    let clock = ContinuousClock()
    var elapsed = Duration.zero
    let cpuStart = cpuSeconds()
    for topic in topics {
        let start = clock.now
        let scores = try await encoder.score(query: topic.query, documents: topic.texts, options: options)
        elapsed += clock.now - start
        pairs += topic.texts.count
        truncated += scores.filter(\.truncated).count
        let order = topic.texts.indices.sorted { scores[$0].score > scores[$1].score }
        ndcg += ndcg10(ranked: order.map { topic.docids[$0] }, judgments: qrels[topic.qid] ?? [:])
    }
    let cpu = cpuSeconds() - cpuStart
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let result: [String: Any] = [
        "engine": "llmrank", "model": encoder.name, "precision": encoder.precision.rawValue,
        "threads": args.threads ?? ProcessInfo.processInfo.activeProcessorCount, "batch": args.batch,
        "queries": topics.count, "pairs": pairs, "seconds": seconds, "pairs_per_s": Double(pairs) / seconds,
        "cpu_seconds": cpu, "pairs_per_cpu_s": Double(pairs) / cpu,
        "ndcg10": ndcg / Double(topics.count), "peak_mb": peakMemoryMB(), "truncated": truncated,
    ]
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    fail("\(error)")
}
