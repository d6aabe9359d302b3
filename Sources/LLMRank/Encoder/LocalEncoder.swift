import CBLAS
import Foundation

/// How to score with an `Encoder`.
public struct EncoderOptions: Sendable {
    /// Cross-encoder: map the logit through a sigmoid (a softmax over the labels for a multi-label head).
    public var sigmoid = false
    /// Score long documents as overlapping chunks and keep the best chunk, instead of truncating.
    public var chunk = false
    /// Sequences per forward pass at most (smaller when a batch would exceed `maxBatchTokens`).
    public var batchSize = 32
    /// Tokens per sequence at most, special tokens included; nil: the model's own limit.
    public var maxLength: Int? = nil
    /// Tokens shared by neighbouring chunks; nil: a quarter of the window.
    public var chunkOverlap: Int? = nil
    /// Cross-encoder with several labels: the label whose logit is the score (1: "relevant").
    public var label = 1
    /// Worker threads; nil: one per active processor.
    public var threads: Int? = nil
    /// Tokens per forward pass at most (bounds memory; a longer single sequence still runs alone).
    public var maxBatchTokens = 4096

    /// Options; the defaults suit sentence-transformers and cross-encoders of up to 512 tokens.
    public init(sigmoid: Bool = false, chunk: Bool = false, batchSize: Int = 32, maxLength: Int? = nil,
                chunkOverlap: Int? = nil, label: Int = 1, threads: Int? = nil, maxBatchTokens: Int = 4096)
    {
        self.sigmoid = sigmoid
        self.chunk = chunk
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.chunkOverlap = chunkOverlap
        self.label = label
        self.threads = threads
        self.maxBatchTokens = maxBatchTokens
    }
}

/// The encoder's score for one document.
public struct EncoderScore: Sendable, Hashable {
    /// Cross-encoder: the logit (or its sigmoid); bi-encoder: cosine similarity with the query.
    /// With chunks, the best chunk's.
    public var score: Double
    /// True when the document (or the query) was cut to the model's max length.
    public var truncated: Bool
    /// Chunks scored: 1 unless chunking split the document.
    public var chunks: Int
    /// Cross-encoder: the raw logits of the best chunk, one per label; bi-encoder: empty.
    public var logits: [Double]

    /// A score with its truncation, chunk count and logits.
    public init(score: Double, truncated: Bool, chunks: Int, logits: [Double] = []) {
        self.score = score
        self.truncated = truncated
        self.chunks = chunks
        self.logits = logits
    }
}

/// A local BERT encoder: a cross-encoder (BertForSequenceClassification, scores a query with a
/// document) or a sentence-transformers bi-encoder (embeds each, scores by cosine), run on the CPU
/// with OpenBLAS. Loading reads and checks the whole folder; scoring runs on threads of its own,
/// off Swift's cooperative pool.
public final class LocalEncoder: Sendable {
    /// Which head the model folder has.
    public enum Kind: Sendable { case crossEncoder, biEncoder }

    /// Cross-encoder or bi-encoder.
    public let kind: Kind
    /// The model folder's name.
    public let name: String
    /// The model folder.
    public let url: URL
    /// The arithmetic of the linear layers (float32 where bfloat16 was asked on a CPU without it).
    public let precision: EncoderPrecision
    /// Tokens per sequence the model takes (special tokens included).
    public let maxLength: Int
    let model: BertModel
    let tokenizer: WordPieceTokenizer
    let pooling: Pooling
    private let queue = DispatchQueue(label: "llmrank.encoder")

    /// Loads a model folder: a path (anything with a `/`, or an existing folder), or a bare name
    /// resolved under `LLMRankPaths.models()` (`${LLMRANK_HOME:-~/.cache/llmrank}/models/NAME`).
    public static func load(nameOrPath: String, precision: EncoderPrecision = .auto,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LocalEncoder
    {
        let url: URL
        var isDir: ObjCBool = false
        if nameOrPath.contains("/") || nameOrPath.hasPrefix(".") ||
            FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDir) && isDir.boolValue
        {
            let expanded = nameOrPath.hasPrefix("~/")
                ? (environment["HOME"] ?? NSHomeDirectory()) + nameOrPath.dropFirst(1) : nameOrPath
            url = URL(fileURLWithPath: expanded, isDirectory: true)
        } else {
            url = LLMRankPaths.models(environment: environment).appendingPathComponent(nameOrPath, isDirectory: true)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw LLMRankError(.invalidModel, "encoder \"\(nameOrPath)\": no folder \(url.path); pass a model folder path, or run scripts/fetch-models for all-MiniLM-L6-v2")
            }
        }
        // Without AVX512-BF16 the bfloat16 kernel cannot run: F32 then (`precision` says which ran).
        return try LocalEncoder(url: url, precision: precision)
    }

    init(url: URL, precision requested: EncoderPrecision) throws {
        let precision = requested.effective
        let folder = try ModelFolder(url: url)
        let weightsURL = url.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw LLMRankError(.invalidModel, "\(weightsURL.path): missing (only safetensors weights are read; convert pytorch_model.bin with safetensors)")
        }
        let weights = try BertWeights(file: try SafeTensorsFile(url: weightsURL), config: folder.config,
                                      withHead: folder.kind == .crossEncoder, bfloat16: precision == .bfloat16)
        self.kind = folder.kind
        self.name = url.standardizedFileURL.lastPathComponent
        self.url = url
        self.precision = precision
        self.maxLength = folder.tokenizer.maxLength
        self.model = BertModel(weights: weights)
        self.tokenizer = try WordPieceTokenizer(vocab: folder.vocab, settings: folder.tokenizer)
        self.pooling = folder.pooling
    }

    /// Scores each document against the query; the result is in the order of `documents`.
    public func score(query: String, documents: [String], options: EncoderOptions = .init()) async throws -> [EncoderScore] {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.scoreNow(query: query, documents: documents, options: options) })
            }
        }
    }

    /// Bi-encoder: the L2-normalized embedding of each text (pooled as the model's pooling config says).
    public func embed(_ texts: [String], options: EncoderOptions = .init()) async throws -> [[Float]] {
        guard kind == .biEncoder else {
            throw LLMRankError(.invalidInput, "\(name) is a cross-encoder: it scores pairs and has no embeddings")
        }
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    let limit = try self.limit(options)
                    let inputs = self.tokenize(texts, threads: options.threads).map { self.tokenizer.single($0, maxLength: limit) }
                    return self.run(inputs, options: options).map(\.embedding)
                })
            }
        }
    }

    // MARK: Scoring

    private func limit(_ options: EncoderOptions) throws -> Int {
        let limit = min(options.maxLength ?? maxLength, model.config.maxPositions)
        guard limit >= 8 else { throw LLMRankError(.invalidInput, "encoder max length \(limit) is too small (at least 8)") }
        return limit
    }

    /// One input's result: the logits (cross-encoder) or the embedding (bi-encoder).
    struct Output: Sendable {
        var logits: [Double] = []
        var embedding: [Float] = []
    }

    func scoreNow(query: String, documents: [String], options: EncoderOptions) throws -> [EncoderScore] {
        if documents.isEmpty { return [] }
        let limit = try limit(options)
        let q = tokenizer.encode(query)
        let tokens = tokenize(documents, threads: options.threads)
        // inputs[i] belongs to document owner[i]; the bi-encoder's query is the last input.
        var inputs: [EncodedInput] = []
        var owner: [Int] = []
        var truncated = [Bool](repeating: false, count: documents.count)
        var chunks = [Int](repeating: 0, count: documents.count)
        switch kind {
        case .crossEncoder:
            // The query keeps at most half the budget when chunking, so every window has room.
            let queryKeep = options.chunk ? min(q.count, (limit - 3) / 2) : q.count
            let window = limit - 3 - queryKeep
            for (i, d) in tokens.enumerated() {
                if options.chunk && d.count > window {
                    for range in Self.windows(count: d.count, window: window, overlap: options.chunkOverlap) {
                        inputs.append(tokenizer.pair(Array(q[0..<queryKeep]), Array(d[range]), maxLength: limit))
                        owner.append(i)
                        chunks[i] += 1
                    }
                    truncated[i] = queryKeep < q.count
                } else {
                    let input = tokenizer.pair(q, d, maxLength: limit)
                    inputs.append(input)
                    owner.append(i)
                    chunks[i] = 1
                    truncated[i] = input.truncated
                }
            }
        case .biEncoder:
            let window = limit - 2
            for (i, d) in tokens.enumerated() {
                if options.chunk && d.count > window {
                    for range in Self.windows(count: d.count, window: window, overlap: options.chunkOverlap) {
                        inputs.append(tokenizer.single(Array(d[range]), maxLength: limit))
                        owner.append(i)
                        chunks[i] += 1
                    }
                } else {
                    let input = tokenizer.single(d, maxLength: limit)
                    inputs.append(input)
                    owner.append(i)
                    chunks[i] = 1
                    truncated[i] = input.truncated
                }
            }
            let queryInput = tokenizer.single(q, maxLength: limit)
            inputs.append(queryInput)
            owner.append(-1)
            if queryInput.truncated { truncated = truncated.map { _ in true } }
        }

        let outputs = run(inputs, options: options)

        var best = [Double](repeating: -.infinity, count: documents.count)
        var bestLogits = [[Double]](repeating: [], count: documents.count)
        let queryEmbedding = kind == .biEncoder ? outputs[outputs.count - 1].embedding : []
        for (k, output) in outputs.enumerated() where owner[k] >= 0 {
            let i = owner[k]
            let value: Double
            switch kind {
            case .crossEncoder:
                value = Self.crossScore(output.logits, options: options)
            case .biEncoder:
                var dot: Float = 0
                for j in 0..<queryEmbedding.count { dot += queryEmbedding[j] * output.embedding[j] }
                value = Double(dot)
            }
            if value > best[i] {
                best[i] = value
                bestLogits[i] = output.logits
            }
        }
        return (0..<documents.count).map {
            EncoderScore(score: best[$0], truncated: truncated[$0], chunks: chunks[$0], logits: bestLogits[$0])
        }
    }

    /// Token ids of each text (no special tokens), tokenized on all workers.
    func tokenize(_ texts: [String], threads: Int?) -> [[Int32]] {
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, texts.count))
        let out = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: texts.count)
        out.initialize(repeating: [])
        defer { out.deinitialize().deallocate() }
        nonisolated(unsafe) let slots = out
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < texts.count {
                slots[i] = tokenizer.encode(texts[i])
                i += workers
            }
        }
        return Array(out)
    }

    static func crossScore(_ logits: [Double], options: EncoderOptions) -> Double {
        if logits.count == 1 {
            return options.sigmoid ? 1 / (1 + Foundation.exp(-logits[0])) : logits[0]
        }
        let label = min(max(options.label, 0), logits.count - 1)
        guard options.sigmoid else { return logits[label] }
        let m = logits.max()!
        let total = logits.reduce(0) { $0 + Foundation.exp($1 - m) }
        return Foundation.exp(logits[label] - m) / total
    }

    /// Overlapping windows over `count` tokens: each `window` long, neighbours sharing `overlap`
    /// (a quarter of the window by default); the last one ends at the last token.
    static func windows(count: Int, window: Int, overlap: Int?) -> [Range<Int>] {
        guard count > window else { return [0..<count] }
        let shared = min(max(overlap ?? window / 4, 0), window - 1)
        let stride = window - shared
        var ranges: [Range<Int>] = []
        var start = 0
        while true {
            if start + window >= count {
                ranges.append(max(0, count - window)..<count)
                break
            }
            ranges.append(start..<(start + window))
            start += stride
        }
        return ranges
    }

    // MARK: Batching and threads

    /// Runs every input through the model and the head. Inputs are sorted by length and cut into
    /// batches of similar length with about equal token counts, a multiple of the worker count;
    /// each batch is packed without padding. Workers take batches, longest first, each running
    /// OpenBLAS single-threaded on its own buffers, so every core is busy in every step.
    func run(_ inputs: [EncodedInput], options: EncoderOptions) -> [Output] {
        let n = inputs.count
        if n == 0 { return [] }
        let workers = max(1, min(options.threads ?? ProcessInfo.processInfo.activeProcessorCount, n))
        let order = (0..<n).sorted { inputs[$0].ids.count > inputs[$1].ids.count }
        let totalTokens = inputs.reduce(0) { $0 + $1.ids.count }
        let perBatch = max(1, options.batchSize)
        var batchCount = max((n + perBatch - 1) / perBatch, (totalTokens + options.maxBatchTokens - 1) / max(1, options.maxBatchTokens))
        batchCount = min(n, (batchCount + workers - 1) / workers * workers)
        // Contiguous cuts of the sorted order at equal shares of the tokens, at most perBatch each.
        var batches: [[Int]] = []
        var current: [Int] = []
        var currentTokens = 0
        let share = Double(totalTokens) / Double(batchCount)
        for index in order {
            let len = inputs[index].ids.count
            let remainingBatches = batchCount - batches.count
            if !current.isEmpty && (current.count >= perBatch || Double(currentTokens + len) > share * 1.05 && remainingBatches > 1) {
                batches.append(current)
                current = []
                currentTokens = 0
            }
            current.append(index)
            currentTokens += len
        }
        if !current.isEmpty { batches.append(current) }

        // Process-wide: OpenBLAS runs each product on its caller's thread; the workers are the
        // parallelism. (The encoder is this process's only OpenBLAS user.)
        openblas_set_num_threads(1)
        let results = UnsafeMutableBufferPointer<Output>.allocate(capacity: n)
        results.initialize(repeating: Output())
        defer { results.deinitialize().deallocate() }
        let cursor = BatchCursor()
        let batchList = batches
        let maxBatchTokens = batches.map { $0.reduce(0) { $0 + inputs[$1].ids.count } }.max() ?? 0
        let longest = inputs.map(\.ids.count).max() ?? 0
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let ws = BertWorkspace(config: model.config, capacity: maxBatchTokens, maxLength: longest)
            while true {
                let b = cursor.take()
                if b >= batchList.count { break }
                let batch = batchList[b].map { inputs[$0] }
                let offsets = model.forward(batch, workspace: ws, precision: precision)
                for (s, index) in batchList[b].enumerated() {
                    out[index] = head(ws.hidden + offsets[s] * model.config.hiddenSize, length: batch[s].ids.count)
                }
            }
        }
        return Array(results)
    }

    /// The cross-encoder's logits, or the bi-encoder's pooled, L2-normalized embedding, of one
    /// sequence whose hidden states `[length, H]` start at `states`.
    private func head(_ states: UnsafeMutablePointer<Float>, length: Int) -> Output {
        let h = model.config.hiddenSize
        switch kind {
        case .crossEncoder:
            return Output(logits: model.classify(cls: states))
        case .biEncoder:
            var e = [Float](repeating: 0, count: h)
            switch pooling {
            case .cls:
                for j in 0..<h { e[j] = states[j] }
            case .mean:
                for t in 0..<length { for j in 0..<h { e[j] += states[t * h + j] } }
                for j in 0..<h { e[j] /= Float(length) }
            case .max:
                for j in 0..<h { e[j] = states[j] }
                for t in 1..<max(1, length) { for j in 0..<h { e[j] = max(e[j], states[t * h + j]) } }
            }
            let norm = max(e.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            return Output(embedding: e.map { $0 / norm })
        }
    }
}

/// Hands out batch numbers to workers, each once.
private final class BatchCursor: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        return next - 1
    }
}
