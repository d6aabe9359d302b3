import Foundation
import Testing
@testable import LLMRank

@Suite struct EncoderModelFolderTests {
    /// A copy of a fixture folder in a temporary directory, changed by `edit`.
    func brokenCopy(of model: String, _ edit: (URL) throws -> Void) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-enc-\(UUID().uuidString)")
        let copy = dir.appendingPathComponent(model)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: EncoderFixtures.folder.appendingPathComponent(model), to: copy)
        try edit(copy)
        return copy
    }

    func loadError(_ url: URL) -> LLMRankError? {
        do {
            _ = try LocalEncoder.load(nameOrPath: url.path)
            return nil
        } catch let error as LLMRankError {
            return error
        } catch {
            return LLMRankError(.invalidInput, "unexpected \(error)")
        }
    }

    func editJSON(_ file: URL, _ change: (inout [String: Any]) -> Void) throws {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: file)
    }

    @Test func missingFilesAndFieldsAreNamed() throws {
        let cases: [(String, String, (URL) throws -> Void, [String])] = [
            ("tiny-cross-1", "no config", { try FileManager.default.removeItem(at: $0.appendingPathComponent("config.json")) }, ["config.json", "missing"]),
            ("tiny-cross-1", "no weights", { try FileManager.default.removeItem(at: $0.appendingPathComponent("model.safetensors")) }, ["model.safetensors"]),
            ("tiny-cross-1", "no vocab", { try FileManager.default.removeItem(at: $0.appendingPathComponent("vocab.txt")) }, ["vocab.txt"]),
            ("tiny-cross-1", "no tokenizer config", { try FileManager.default.removeItem(at: $0.appendingPathComponent("tokenizer_config.json")) }, ["tokenizer_config.json"]),
            ("tiny-cross-1", "no hidden size", { try self.editJSON($0.appendingPathComponent("config.json")) { $0["hidden_size"] = nil } }, ["config.json", "hidden_size"]),
            ("tiny-cross-1", "roberta", { try self.editJSON($0.appendingPathComponent("config.json")) { $0["model_type"] = "roberta" } }, ["config.json", "model_type", "roberta"]),
            ("tiny-cross-1", "other architecture", { try self.editJSON($0.appendingPathComponent("config.json")) { $0["architectures"] = ["BertForMaskedLM"] } }, ["architectures", "BertForMaskedLM"]),
            ("tiny-cross-1", "gelu_new", { try self.editJSON($0.appendingPathComponent("config.json")) { $0["hidden_act"] = "gelu_new" } }, ["hidden_act", "gelu_new"]),
            ("tiny-cross-1", "wrong shape", { try self.editJSON($0.appendingPathComponent("config.json")) { $0["intermediate_size"] = 65 } }, ["model.safetensors", "intermediate.dense.weight", "shape"]),
            ("tiny-bi", "no modules", { try FileManager.default.removeItem(at: $0.appendingPathComponent("modules.json")) }, ["modules.json"]),
            ("tiny-bi", "no pooling config", { try FileManager.default.removeItem(at: $0.appendingPathComponent("1_Pooling/config.json")) }, ["1_Pooling", "config.json"]),
            ("tiny-bi", "no pooling mode", { try self.editJSON($0.appendingPathComponent("1_Pooling/config.json")) { $0["pooling_mode_mean_tokens"] = false } }, ["pooling_mode_mean_tokens"]),
            ("tiny-cross-1", "truncated weights", { url in
                let file = url.appendingPathComponent("model.safetensors")
                let data = try Data(contentsOf: file)
                try data.prefix(data.count - 100).write(to: file)
            }, ["model.safetensors"]),
        ]
        for (model, what, edit, words) in cases {
            let url = try brokenCopy(of: model, edit)
            defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
            let error = try #require(loadError(url), "\(what): loaded")
            #expect(error.kind == .invalidModel, "\(what): \(error)")
            for word in words { #expect(error.message.contains(word), "\(what): \(error.message)") }
        }
    }

    @Test func bareNameResolvesUnderLLMRankHome() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-home-\(UUID().uuidString)")
        let models = home.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.copyItem(at: EncoderFixtures.folder.appendingPathComponent("tiny-bi"), to: models.appendingPathComponent("tiny-bi"))
        let encoder = try LocalEncoder.load(nameOrPath: "tiny-bi", environment: ["LLMRANK_HOME": home.path])
        #expect(encoder.kind == .biEncoder)
        #expect(encoder.name == "tiny-bi")
        #expect(encoder.maxLength == 48)  // sentence_bert_config.json's max_seq_length
        #expect(throws: LLMRankError.self) { try LocalEncoder.load(nameOrPath: "no-such-model", environment: ["LLMRANK_HOME": home.path]) }
    }

    @Test func halfPrecisionBitsConvert() {
        #expect(halfToFloat(0x3C00) == 1)
        #expect(halfToFloat(0xC000) == -2)
        #expect(halfToFloat(0x7BFF) == 65504)
        #expect(halfToFloat(0x0001) == 0x1p-24)
        #expect(halfToFloat(0x8000) == 0 && halfToFloat(0x8000).sign == .minus)
        #expect(halfToFloat(0x7C00) == .infinity)
        #expect(halfToFloat(0x7E00).isNaN)
        #expect(floatToBF16(1) == 0x3F80)
        #expect(floatToBF16(1.00390625) == 0x3F80)  // halfway: rounds to even
        #expect(floatToBF16(1.01171875) == 0x3F82)  // halfway: rounds to even (up)
    }
}

@Suite struct EncoderTokenizerJSONTests {
    /// A folder with tokenizer.json (a WordPiece model and a BertNormalizer) instead of vocab.txt
    /// scores exactly as the same folder with vocab.txt.
    @Test func tokenizerJSONReplacesVocabTxt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-tokjson-\(UUID().uuidString)")
        let copy = dir.appendingPathComponent("tiny-cross-1")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1"), to: copy)
        let words = try String(contentsOf: copy.appendingPathComponent("vocab.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var vocab: [String: Int] = [:]
        for (i, w) in words.enumerated() { vocab[w] = i }
        let json: [String: Any] = [
            "normalizer": ["type": "BertNormalizer", "lowercase": true, "strip_accents": NSNull(),
                           "handle_chinese_chars": true, "clean_text": true],
            "model": ["type": "WordPiece", "unk_token": "[UNK]", "vocab": vocab],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: copy.appendingPathComponent("tokenizer.json"))
        try FileManager.default.removeItem(at: copy.appendingPathComponent("vocab.txt"))
        let fromJSON = try LocalEncoder.load(nameOrPath: copy.path)
        let fromTxt = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path)
        let docs = ["Paris is the capital city of France", "boiling an egg", "café über"]
        let a = try await fromJSON.score(query: "capital of france", documents: docs)
        let b = try await fromTxt.score(query: "capital of france", documents: docs)
        #expect(a.map(\.score) == b.map(\.score))
        #expect(fromJSON.tokenizer.encode("Ünïcode Words") == fromTxt.tokenizer.encode("Ünïcode Words"))
    }
}
