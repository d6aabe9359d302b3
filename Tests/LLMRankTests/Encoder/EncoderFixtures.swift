import Foundation
import Testing
@testable import LLMRank

/// Paths and readers shared by the encoder tests.
enum EncoderFixtures {
    /// The repository root (this file is Tests/LLMRankTests/Encoder/EncoderFixtures.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.appendingPathComponent("fixtures/encoder")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// all-MiniLM-L6-v2 as scripts/fetch-models installs it; a missing model fails the test with
    /// the command to run (CI runs it).
    static func miniLM() throws -> URL {
        let url = LLMRankPaths.models().appendingPathComponent("all-MiniLM-L6-v2")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
            Issue.record("all-MiniLM-L6-v2 is not at \(url.path): run scripts/fetch-models (CI runs it)")
            throw LLMRankError(.setup, "missing \(url.path)")
        }
        return url
    }

    static func doubles(_ value: Any?) -> [Double] {
        (value as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    }

    static func ints(_ value: Any?) -> [Int32] {
        (value as? [Any] ?? []).map { Int32(($0 as? NSNumber)?.intValue ?? -1) }
    }
}

/// TREC DL19 passages (BM25 top 100) and judgments from ../shared/data/trec-dl19, beside the
/// repository; nothing of it is copied into the repository.
struct DL19 {
    struct Hit { var docid: String; var content: String }
    struct Topic { var qid: String; var query: String; var hits: [Hit] }
    var topics: [Topic]
    var qrels: [String: [String: Int]]

    static func load() throws -> DL19 {
        let dir = EncoderFixtures.root.deletingLastPathComponent().appendingPathComponent("shared/data/trec-dl19")
        let runData = try Data(contentsOf: dir.appendingPathComponent("bm25-top100.json"))
        let qrelData = try Data(contentsOf: dir.appendingPathComponent("qrels.json"))
        let run = try #require(try JSONSerialization.jsonObject(with: runData) as? [[String: Any]])
        let rawQrels = try #require(try JSONSerialization.jsonObject(with: qrelData) as? [String: [String: Any]])
        var qrels: [String: [String: Int]] = [:]
        for (qid, docs) in rawQrels {
            qrels[qid] = docs.mapValues { ($0 as? String).flatMap { Int($0) } ?? ($0 as? NSNumber)?.intValue ?? 0 }
        }
        let topics = run.map { entry -> Topic in
            let hits = (entry["hits"] as? [[String: Any]] ?? []).map {
                Hit(docid: "\($0["docid"] ?? "")", content: $0["content"] as? String ?? "")
            }
            let qid = (entry["hits"] as? [[String: Any]])?.first.map { "\($0["qid"] ?? "")" } ?? ""
            return Topic(qid: qid, query: entry["query"] as? String ?? "", hits: hits)
        }
        return DL19(topics: topics, qrels: qrels)
    }

    /// NDCG@10 as trec_eval computes it: gain = grade, discount log2(rank + 1), the ideal ranking
    /// from every judged document of the query; ties in score keep the given order.
    static func ndcg10(ranked: [String], judgments: [String: Int]) -> Double {
        func dcg(_ gains: [Int]) -> Double {
            gains.prefix(10).enumerated().reduce(0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
        }
        let ideal = dcg(judgments.values.filter { $0 > 0 }.sorted(by: >))
        guard ideal > 0 else { return 0 }
        return dcg(ranked.map { max(0, judgments[$0] ?? 0) }) / ideal
    }
}
