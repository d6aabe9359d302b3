import Foundation
import Testing
@testable import LLMRank

@Suite struct EncoderTokenizerTests {
    /// Every fixture string gives the ids Hugging Face's tokenizer gave, under three settings.
    @Test func matchesHuggingFaceOnFixtureStrings() throws {
        let model = try EncoderFixtures.miniLM()
        let vocab = try String(contentsOf: model.appendingPathComponent("vocab.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        let fixture = try EncoderFixtures.json("tokenizer-cases.json")
        let settings: [String: TokenizerSettings] = [
            "uncased": TokenizerSettings(lowercase: true, stripAccents: nil),
            "uncased-keep-accents": TokenizerSettings(lowercase: true, stripAccents: false),
            "cased": TokenizerSettings(lowercase: false, stripAccents: nil),
        ]
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        #expect(cases.count >= 300)
        for (name, setting) in settings {
            let tokenizer = try WordPieceTokenizer(vocab: Array(vocab), settings: setting)
            var mismatches = 0
            for c in cases {
                let text = try #require(c["text"] as? String)
                let expected = EncoderFixtures.ints(c[name])
                let got = tokenizer.encode(text)
                if got != expected {
                    mismatches += 1
                    if mismatches <= 5 {
                        Issue.record("\(name): \(text.debugDescription): got \(got), expected \(expected)")
                    }
                }
            }
            #expect(mismatches == 0, "\(name): \(mismatches) of \(cases.count) strings differ")
        }
    }

    /// [CLS] q [SEP] d [SEP] with token types and longest_first truncation, as Hugging Face does.
    @Test func pairEncodingMatchesHuggingFace() throws {
        let model = try EncoderFixtures.miniLM()
        let folder = try ModelFolder(url: model)
        let tokenizer = try WordPieceTokenizer(vocab: folder.vocab, settings: folder.tokenizer)
        let fixture = try EncoderFixtures.json("tokenizer-cases.json")
        let pairs = try #require(fixture["pairs"] as? [[String: Any]])
        #expect(pairs.count >= 30)
        for p in pairs {
            let q = tokenizer.encode(try #require(p["query"] as? String))
            let d = tokenizer.encode(try #require(p["document"] as? String))
            let maxLength = try #require(p["max_length"] as? Int)
            let input = tokenizer.pair(q, d, maxLength: maxLength)
            #expect(input.ids == EncoderFixtures.ints(p["input_ids"]), "max_length \(maxLength)")
            #expect(input.types == EncoderFixtures.ints(p["token_type_ids"]))
            #expect(input.truncated == (q.count + d.count + 3 > maxLength))
        }
    }

    @Test func wordsOverTheLengthLimitBecomeUnknown() throws {
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "##a", "b"]
        let tokenizer = try WordPieceTokenizer(vocab: vocab, settings: TokenizerSettings())
        #expect(tokenizer.encode(String(repeating: "a", count: 100)) == [4] + [Int32](repeating: 5, count: 99))
        #expect(tokenizer.encode(String(repeating: "a", count: 101)) == [1])
        // One piece that cannot be matched makes the whole word unknown.
        #expect(tokenizer.encode("aab ab b") == [1, 1, 6])
        #expect(tokenizer.encode("A,B") == [4, 1, 6])
    }

    @Test func missingSpecialTokenIsNamed() {
        #expect(throws: LLMRankError.self) { try WordPieceTokenizer(vocab: ["[PAD]", "[UNK]", "[CLS]"], settings: TokenizerSettings()) }
        do {
            _ = try WordPieceTokenizer(vocab: ["[PAD]", "[UNK]", "[CLS]"], settings: TokenizerSettings())
        } catch let error as LLMRankError {
            #expect(error.message.contains("[SEP]"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func chunkWindowsCoverEveryTokenWithOverlap() {
        #expect(LocalEncoder.windows(count: 10, window: 20, overlap: nil) == [0..<10])
        #expect(LocalEncoder.windows(count: 100, window: 40, overlap: 10) == [0..<40, 30..<70, 60..<100])
        for count in [41, 77, 200, 513] {
            let ranges = LocalEncoder.windows(count: count, window: 40, overlap: nil)
            #expect(ranges.first?.lowerBound == 0)
            #expect(ranges.last?.upperBound == count)
            #expect(ranges.allSatisfy { $0.count == 40 })
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(b.lowerBound < a.upperBound) }
        }
    }
}
