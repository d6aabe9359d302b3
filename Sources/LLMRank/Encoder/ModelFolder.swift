import Foundation

/// The hyper-parameters of a BERT checkpoint, from `config.json` (transformers' `BertConfig`).
struct BertConfig: Sendable, Equatable {
    var vocabSize: Int
    var hiddenSize: Int
    var layers: Int
    var heads: Int
    var intermediateSize: Int
    var maxPositions: Int
    var typeVocabSize: Int
    var layerNormEps: Float
    /// Labels of a sequence-classification head (1 for a relevance cross-encoder).
    var numLabels: Int
    var architecture: String

    var headSize: Int { hiddenSize / heads }
}

/// How a sentence-transformers bi-encoder pools token states, from `1_Pooling/config.json`.
enum Pooling: String, Sendable {
    case mean, cls, max
}

/// What the tokenizer needs from `tokenizer_config.json` (and `tokenizer.json`'s normalizer).
struct TokenizerSettings: Sendable, Equatable {
    var lowercase = true
    /// nil: follow `lowercase` (Hugging Face's default).
    var stripAccents: Bool? = nil
    var tokenizeChineseChars = true
    var maxLength = 512
}

/// A Hugging Face model folder read and checked: every missing file or field fails with a message
/// naming it.
struct ModelFolder {
    let url: URL
    let config: BertConfig
    let kind: LocalEncoder.Kind
    let pooling: Pooling
    let tokenizer: TokenizerSettings
    let vocab: [String]

    init(url: URL) throws {
        self.url = url
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw LLMRankError(.invalidModel, "\(url.path): no such model folder")
        }
        let configJSON = try Self.jsonObject(url, "config.json")
        let config = try Self.bertConfig(configJSON, folder: url)
        self.config = config

        // Cross-encoder or bi-encoder: the architecture decides.
        if config.architecture == "BertForSequenceClassification" {
            kind = .crossEncoder
            pooling = .cls
        } else {
            kind = .biEncoder
            let modules = url.appendingPathComponent("modules.json")
            guard fm.fileExists(atPath: modules.path) else {
                throw LLMRankError(.invalidModel, "\(url.path)/modules.json: missing; a \(config.architecture) folder is run as a sentence-transformers bi-encoder, which needs modules.json and its Pooling module's config.json")
            }
            guard let list = try JSONSerialization.jsonObject(with: Data(contentsOf: modules)) as? [[String: Any]] else {
                throw LLMRankError(.invalidModel, "\(modules.path): expected a JSON array of modules")
            }
            guard let poolingModule = list.first(where: { ($0["type"] as? String)?.hasSuffix("models.Pooling") == true }),
                  let poolingPath = poolingModule["path"] as? String
            else {
                throw LLMRankError(.invalidModel, "\(modules.path): no sentence_transformers.models.Pooling module with a path")
            }
            let poolingJSON = try Self.jsonObject(url.appendingPathComponent(poolingPath), "config.json")
            let file = "\(poolingPath)/config.json"
            if poolingJSON["pooling_mode_mean_tokens"] as? Bool == true {
                pooling = .mean
            } else if poolingJSON["pooling_mode_cls_token"] as? Bool == true {
                pooling = .cls
            } else if poolingJSON["pooling_mode_max_tokens"] as? Bool == true {
                pooling = .max
            } else {
                throw LLMRankError(.invalidModel, "\(url.path)/\(file): pooling_mode_mean_tokens, pooling_mode_cls_token or pooling_mode_max_tokens must be true (other pooling modes are not run)")
            }
            if let dim = poolingJSON["word_embedding_dimension"] as? Int, dim != config.hiddenSize {
                throw LLMRankError(.invalidModel, "\(url.path)/\(file): word_embedding_dimension \(dim) differs from hidden_size \(config.hiddenSize)")
            }
        }

        // Tokenizer: settings, then the vocabulary (vocab.txt, else tokenizer.json's model.vocab).
        var settings = TokenizerSettings()
        let tokConfig = try Self.jsonObject(url, "tokenizer_config.json")
        if let lower = tokConfig["do_lower_case"] as? Bool { settings.lowercase = lower }
        if let strip = tokConfig["strip_accents"] as? Bool { settings.stripAccents = strip }
        if let cjk = tokConfig["tokenize_chinese_chars"] as? Bool { settings.tokenizeChineseChars = cjk }
        settings.maxLength = config.maxPositions
        if let max = tokConfig["model_max_length"] as? Int, max > 0 { settings.maxLength = min(max, config.maxPositions) }
        // sentence-transformers' own limit (256 for all-MiniLM-L6-v2) wins for a bi-encoder.
        let sbert = url.appendingPathComponent("sentence_bert_config.json")
        if kind == .biEncoder, fm.fileExists(atPath: sbert.path) {
            let json = try Self.jsonObject(url, "sentence_bert_config.json")
            if let max = json["max_seq_length"] as? Int, max > 0 { settings.maxLength = min(max, config.maxPositions) }
        }

        let vocabTxt = url.appendingPathComponent("vocab.txt")
        let tokenizerJSON = url.appendingPathComponent("tokenizer.json")
        if fm.fileExists(atPath: tokenizerJSON.path) {
            let json = try Self.jsonObject(url, "tokenizer.json")
            // The fast tokenizer's normalizer is what Hugging Face runs; it overrides tokenizer_config.json.
            if let normalizer = json["normalizer"] as? [String: Any], normalizer["type"] as? String == "BertNormalizer" {
                if let lower = normalizer["lowercase"] as? Bool { settings.lowercase = lower }
                if let strip = normalizer["strip_accents"] as? Bool { settings.stripAccents = strip }
                if let cjk = normalizer["handle_chinese_chars"] as? Bool { settings.tokenizeChineseChars = cjk }
            }
            if !fm.fileExists(atPath: vocabTxt.path) {
                guard let model = json["model"] as? [String: Any], model["type"] as? String == "WordPiece",
                      let table = model["vocab"] as? [String: Int]
                else {
                    throw LLMRankError(.invalidModel, "\(tokenizerJSON.path): model.type must be WordPiece with a model.vocab table (or provide vocab.txt)")
                }
                // Ids need not be dense (a word listed twice in a vocab.txt keeps only its last id):
                // a gap gets a placeholder no text can produce.
                let size = (table.values.max() ?? -1) + 1
                var words = (0..<size).map { "\u{0}unused-\($0)" }
                for (word, id) in table {
                    guard id >= 0, id < words.count else {
                        throw LLMRankError(.invalidModel, "\(tokenizerJSON.path): model.vocab id \(id) of \(word) is out of range")
                    }
                    words[id] = word
                }
                vocab = words
            } else {
                vocab = try Self.readVocab(vocabTxt)
            }
        } else if fm.fileExists(atPath: vocabTxt.path) {
            vocab = try Self.readVocab(vocabTxt)
        } else {
            throw LLMRankError(.invalidModel, "\(url.path): missing vocab.txt (or tokenizer.json with a WordPiece model)")
        }
        // vocab_size may exceed the vocabulary (embedding rows padded); never the other way.
        guard vocab.count <= config.vocabSize else {
            throw LLMRankError(.invalidModel, "\(url.path): the vocabulary has \(vocab.count) tokens but config.json vocab_size is \(config.vocabSize)")
        }
        tokenizer = settings
    }

    private static func readVocab(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func jsonObject(_ folder: URL, _ name: String) throws -> [String: Any] {
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw LLMRankError(.invalidModel, "\(file.path): missing")
        }
        let data = try Data(contentsOf: file)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LLMRankError(.invalidModel, "\(file.path): not a JSON object")
        }
        return object
    }

    private static func bertConfig(_ json: [String: Any], folder: URL) throws -> BertConfig {
        let file = folder.appendingPathComponent("config.json").path
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            if let v = json[key] as? Int { return v }
            if let value { return value }
            throw LLMRankError(.invalidModel, "\(file): missing integer field \(key)")
        }
        let modelType = json["model_type"] as? String ?? ""
        guard modelType == "bert" else {
            throw LLMRankError(.invalidModel, "\(file): model_type is \"\(modelType)\"; only \"bert\" is run")
        }
        let architectures = json["architectures"] as? [String] ?? ["BertModel"]
        let supported = ["BertModel", "BertForSequenceClassification"]
        guard let architecture = architectures.first(where: supported.contains) else {
            throw LLMRankError(.invalidModel, "\(file): architectures \(architectures) has none of \(supported)")
        }
        let act = json["hidden_act"] as? String ?? "gelu"
        guard act == "gelu" else {
            throw LLMRankError(.invalidModel, "\(file): hidden_act \"\(act)\" is not run (only \"gelu\", the exact erf form)")
        }
        if let position = json["position_embedding_type"] as? String, position != "absolute" {
            throw LLMRankError(.invalidModel, "\(file): position_embedding_type \"\(position)\" is not run (only \"absolute\")")
        }
        // transformers' default is two labels; configs written by it omit the field then.
        var labels = 2
        if let id2label = json["id2label"] as? [String: Any] { labels = id2label.count }
        if let n = json["num_labels"] as? Int { labels = n }
        let config = BertConfig(
            vocabSize: try int("vocab_size"),
            hiddenSize: try int("hidden_size"),
            layers: try int("num_hidden_layers"),
            heads: try int("num_attention_heads"),
            intermediateSize: try int("intermediate_size"),
            maxPositions: try int("max_position_embeddings"),
            typeVocabSize: try int("type_vocab_size", default: 2),
            layerNormEps: Float(json["layer_norm_eps"] as? Double ?? 1e-12),
            numLabels: labels,
            architecture: architecture)
        guard config.heads > 0, config.hiddenSize % config.heads == 0 else {
            throw LLMRankError(.invalidModel, "\(file): hidden_size \(config.hiddenSize) is not a multiple of num_attention_heads \(config.heads)")
        }
        guard config.numLabels >= 1 else {
            throw LLMRankError(.invalidModel, "\(file): num_labels must be at least 1")
        }
        return config
    }
}
