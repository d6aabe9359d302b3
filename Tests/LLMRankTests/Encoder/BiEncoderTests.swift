import Foundation
import Testing
@testable import LLMRank

@Suite struct BiEncoderTests {
    /// The tiny bi-encoder (BF16 weights, mean pooling): embeddings within 1e-4 of PyTorch.
    @Test func tinyEmbeddingsMatchPyTorch() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-bi").path, precision: .float32)
        #expect(encoder.kind == .biEncoder)
        let fixture = try EncoderFixtures.json("tiny-outputs.json")
        let texts = try #require(fixture["texts"] as? [[String: Any]])
        #expect(texts.count >= 10)
        let embeddings = try await encoder.embed(texts.map { $0["text"] as? String ?? "" })
        for (t, got) in zip(texts, embeddings) {
            let want = EncoderFixtures.doubles(t["embedding"])
            #expect(got.count == want.count)
            let diff = zip(got, want).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(diff < 1e-4, "\(t["text"] ?? ""): max difference \(diff)")
        }
    }

    /// all-MiniLM-L6-v2 embeddings within 1e-4 (cosine > 0.9999) of sentence-transformers, texts
    /// over the 256-token limit included.
    @Test func miniLMEmbeddingsMatchSentenceTransformers() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: try EncoderFixtures.miniLM().path, precision: .float32)
        #expect(encoder.kind == .biEncoder)
        #expect(encoder.maxLength == 256)
        let fixture = try EncoderFixtures.json("minilm-embeddings.json")
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        let embeddings = try await encoder.embed(cases.map { $0["text"] as? String ?? "" })
        for (c, got) in zip(cases, embeddings) {
            let want = EncoderFixtures.doubles(c["embedding"])
            let diff = zip(got, want).map { abs(Double($0) - $1) }.max() ?? 1
            let cosine = zip(got, want).reduce(0) { $0 + Double($1.0) * $1.1 }
            #expect(diff < 1e-4 && cosine > 0.9999, "\((c["text"] as? String ?? "").prefix(30)): max diff \(diff), cosine \(cosine)")
        }
        // Scores are cosines with the query.
        let scores = try await encoder.score(query: cases[0]["text"] as? String ?? "", documents: [cases[1]["text"] as? String ?? ""])
        let dot = zip(embeddings[0], embeddings[1]).reduce(0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(scores[0].score - dot) < 1e-5)
    }

    /// Reranking TREC DL19's BM25 top 100 with all-MiniLM-L6-v2 gives NDCG@10 within 0.002 of
    /// sentence-transformers (0.642 on the same candidates; BM25 0.506) in float32, and the default
    /// precision (`auto`: bfloat16 on AVX512-BF16 CPUs) stays within 0.002 of float32.
    @Test(.needsSharedData) func miniLMRerankingDL19MatchesSentenceTransformers() async throws {
        let data = try DL19.load()
        #expect(data.topics.count == 43)
        let bm25 = data.topics.reduce(0.0) { sum, topic in
            sum + DL19.ndcg10(ranked: topic.hits.map(\.docid), judgments: data.qrels[topic.qid] ?? [:])
        } / Double(data.topics.count)
        #expect(abs(bm25 - 0.506) < 0.0015, "BM25 NDCG@10 \(bm25)")

        let f32 = try await Self.ndcg10(data, precision: .float32)
        #expect(abs(f32 - 0.642) < 0.002, "MiniLM float32 NDCG@10 \(f32)")
        let auto = try await Self.ndcg10(data, precision: .auto)
        #expect(abs(auto - f32) < 0.002, "MiniLM auto (\(EncoderPrecision.auto.effective)) NDCG@10 \(auto) vs float32 \(f32)")
    }

    static func ndcg10(_ data: DL19, precision: EncoderPrecision) async throws -> Double {
        let encoder = try LocalEncoder.load(nameOrPath: try EncoderFixtures.miniLM().path, precision: precision)
        #expect(encoder.precision == precision.effective)
        var total = 0.0
        for topic in data.topics {
            let scores = try await encoder.score(query: topic.query, documents: topic.hits.map(\.content))
            let order = topic.hits.indices.sorted { scores[$0].score > scores[$1].score }
            total += DL19.ndcg10(ranked: order.map { topic.hits[$0].docid }, judgments: data.qrels[topic.qid] ?? [:])
        }
        return total / Double(data.topics.count)
    }
}

@Suite struct BiEncoderChunkingTests {
    /// Over the 48-token limit a passage is truncated and flagged; chunked, its first window is the
    /// truncated passage, so the best window scores at least as high.
    @Test func longPassagesAreTruncatedOrChunked() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-bi").path, precision: .float32)
        let long = (0..<120).map { ["deep", "river", "paris", "egg", "fish"][$0 % 5] }.joined(separator: " ")
        let docs = [long, "paris is a city"]
        let query = "capital of france"
        let plain = try await encoder.score(query: query, documents: docs)
        #expect(plain[0].truncated && plain[0].chunks == 1)
        #expect(!plain[1].truncated)
        let chunked = try await encoder.score(query: query, documents: docs, options: .init(chunk: true))
        let expected = LocalEncoder.windows(count: encoder.tokenizer.encode(long).count, window: 46, overlap: nil).count
        #expect(chunked[0].chunks == expected && expected > 1)
        #expect(!chunked[0].truncated)
        #expect(chunked[0].score >= plain[0].score - 1e-6)
        #expect(abs(chunked[1].score - plain[1].score) < 1e-6)
    }
}
