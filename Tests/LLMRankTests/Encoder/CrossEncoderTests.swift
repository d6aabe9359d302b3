import Foundation
import Testing
@testable import LLMRank

@Suite struct CrossEncoderTests {
    static func pairs(_ model: String) throws -> [(query: String, document: String, logits: [Double], ids: [Int32])] {
        let fixture = try EncoderFixtures.json("tiny-outputs.json")
        let pairs = try #require(fixture["pairs"] as? [[String: Any]])
        return pairs.filter { $0["model"] as? String == model }.map {
            ($0["query"] as? String ?? "", $0["document"] as? String ?? "",
             EncoderFixtures.doubles($0["logits"]), EncoderFixtures.ints($0["input_ids"]))
        }
    }

    /// Logits within 1e-4 of PyTorch, for a 1-label head (F32 weights) and a 2-label head (F16
    /// weights, converted on load).
    @Test(arguments: ["tiny-cross-1", "tiny-cross-2"])
    func logitsMatchPyTorch(model: String) async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent(model).path, precision: .float32)
        #expect(encoder.kind == .crossEncoder)
        #expect(encoder.name == model)
        let cases = try Self.pairs(model)
        #expect(cases.count >= 10)
        // One query at a time, as the pipeline calls it; and all of one query's documents batched.
        for c in cases {
            let scores = try await encoder.score(query: c.query, documents: [c.document])
            let score = try #require(scores.first)
            #expect(score.logits.count == c.logits.count)
            for (got, want) in zip(score.logits, c.logits) {
                #expect(abs(got - want) < 1e-4, "\(model) \(c.query.prefix(20)) / \(c.document.prefix(20)): \(got) vs \(want)")
            }
            #expect(score.truncated == (c.ids.count == 64 && score.chunks == 1 && c.query.count + c.document.count > 100))
            let tok = encoder.tokenizer
            let input = tok.pair(tok.encode(c.query), tok.encode(c.document), maxLength: encoder.maxLength)
            #expect(input.ids == c.ids)
        }
        let query = "capital of france"
        let same = cases.filter { $0.query == query }
        let batched = try await encoder.score(query: query, documents: same.map(\.document), options: .init(batchSize: 1))
        for (score, c) in zip(batched, same) {
            #expect(abs(score.logits[0] - c.logits[0]) < 1e-4)
        }
    }

    @Test func scoreIsTheLogitOrItsSigmoid() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path, precision: .float32)
        let docs = ["paris is the capital city of france", "fish grow"]
        let raw = try await encoder.score(query: "capital of france", documents: docs)
        let squashed = try await encoder.score(query: "capital of france", documents: docs, options: .init(sigmoid: true))
        for (r, s) in zip(raw, squashed) {
            #expect(r.score == r.logits[0])
            #expect(abs(s.score - 1 / (1 + exp(-r.score))) < 1e-12)
        }
        let two = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-2").path, precision: .float32)
        let s2 = try await two.score(query: "capital of france", documents: docs, options: .init(sigmoid: true))
        for s in s2 {
            let p = exp(s.logits[1]) / (exp(s.logits[0]) + exp(s.logits[1]))
            #expect(abs(s.score - p) < 1e-12)
        }
        let l0 = try await two.score(query: "capital of france", documents: docs, options: .init(label: 0))
        #expect(l0.map(\.score) == s2.map { $0.logits[0] })
    }

    /// A document over the max length is truncated and flagged; with chunking it is scored in
    /// overlapping windows, and the best window's score equals that window scored alone.
    @Test func longDocumentsAreTruncatedOrChunked() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path, precision: .float32)
        let words = (0..<150).map { ["water", "boil", "egg", "fish", "paris", "rank"][$0 % 6] + ($0 % 7 == 0 ? "s" : "") }
        let long = words.joined(separator: " ")
        let short = "boil the egg"
        let query = "how long to boil an egg"
        let truncated = try await encoder.score(query: query, documents: [long, short])
        #expect(truncated[0].truncated && truncated[0].chunks == 1)
        #expect(!truncated[1].truncated && truncated[1].chunks == 1)
        let chunked = try await encoder.score(query: query, documents: [long, short], options: .init(chunk: true))
        #expect(!chunked[0].truncated)
        #expect(chunked[0].chunks > 1)
        #expect(chunked[1].chunks == 1)
        #expect(abs(chunked[1].score - truncated[1].score) < 1e-5)
        // The maximum over the windows, each scored on its own.
        let tok = encoder.tokenizer
        let q = tok.encode(query), d = tok.encode(long)
        let window = encoder.maxLength - 3 - q.count
        let ranges = LocalEncoder.windows(count: d.count, window: window, overlap: nil)
        #expect(ranges.count == chunked[0].chunks)
        let model = encoder.model
        let ws = BertWorkspace(config: model.config, capacity: 64, maxLength: 64)
        var best = -Double.infinity
        for range in ranges {
            let input = tok.pair(q, Array(d[range]), maxLength: encoder.maxLength)
            _ = model.forward([input], workspace: ws, precision: .float32)
            best = max(best, model.classify(cls: ws.hidden)[0])
        }
        #expect(abs(best - chunked[0].score) < 1e-5)
        #expect(chunked[0].score >= truncated[0].score - 1e-5 || ranges.first == 0..<window)
    }

    @Test func emptyDocumentListGivesNoScores() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path, precision: .float32)
        let none = try await encoder.score(query: "q", documents: [])
        #expect(none.isEmpty)
    }
}

@Suite struct EncoderEdgeCaseTests {
    /// Empty texts, a query longer than the model takes, and one worker or many: finite scores in
    /// document order, the same whatever the threads and batch size.
    @Test(arguments: ["tiny-cross-1", "tiny-bi"])
    func edgeCasesGiveFiniteScoresInOrder(model: String) async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent(model).path, precision: .float32)
        let longQuery = Array(repeating: "what is the capital of france", count: 30).joined(separator: " ")
        let docs = ["", "   ", "paris", String(repeating: "deep river ", count: 100), "fish grow", "égg"]
        for query in ["", "capital", longQuery] {
            let base = try await encoder.score(query: query, documents: docs, options: .init(threads: 1))
            #expect(base.count == docs.count)
            #expect(base.allSatisfy { $0.score.isFinite })
            let parallel = try await encoder.score(query: query, documents: docs, options: .init(batchSize: 2, threads: 3))
            for (a, b) in zip(base, parallel) {
                #expect(abs(a.score - b.score) < 1e-5)
                #expect(a.truncated == b.truncated)
            }
            let chunked = try await encoder.score(query: query, documents: docs, options: .init(chunk: true))
            #expect(chunked.allSatisfy { $0.score.isFinite && $0.chunks >= 1 })
            // Each document alone scores as it does among the others.
            let alone = try await encoder.score(query: query, documents: [docs[2]])
            #expect(abs(alone[0].score - base[2].score) < 1e-5)
        }
        let truncatedQuery = try await encoder.score(query: longQuery, documents: ["paris"])
        #expect(truncatedQuery[0].truncated)
    }
}
