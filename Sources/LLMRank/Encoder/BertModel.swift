import Foundation

/// The weights of a BERT encoder and its heads, loaded by checkpoint key (the names of
/// transformers' `modeling_bert.py`: `BertEmbeddings`, `BertLayer`, `BertPooler`, the classifier of
/// `BertForSequenceClassification`). Shapes are in the comments, `H` hidden, `I` intermediate.
struct BertWeights: Sendable {
    struct Layer: Sendable {
        let qkv: WeightMatrix           // [3H, H]: query, key, value rows stacked
        let qkvBias: [Float]            // [3H]
        let attentionOut: WeightMatrix  // [H, H]  attention.output.dense
        let attentionOutBias: [Float]   // [H]
        let attentionNormGamma: [Float] // [H]     attention.output.LayerNorm
        let attentionNormBeta: [Float]  // [H]
        let up: WeightMatrix            // [I, H]  intermediate.dense
        let upBias: [Float]             // [I]
        let down: WeightMatrix          // [H, I]  output.dense
        let downBias: [Float]           // [H]
        let outputNormGamma: [Float]    // [H]     output.LayerNorm
        let outputNormBeta: [Float]     // [H]
    }

    let config: BertConfig
    let wordEmbeddings: [Float]      // [V, H]
    let positionEmbeddings: [Float]  // [P, H]
    let tokenTypeEmbeddings: [Float] // [T, H]
    let embeddingNormGamma: [Float]  // [H]
    let embeddingNormBeta: [Float]   // [H]
    let layers: [Layer]
    /// BertPooler (tanh(dense(h_cls))) and the classifier, for a cross-encoder.
    let pooler: WeightMatrix?        // [H, H]
    let poolerBias: [Float]          // [H]
    let classifier: [Float]          // [labels, H]
    let classifierBias: [Float]      // [labels]

    init(file: SafeTensorsFile, config: BertConfig, withHead: Bool, bfloat16: Bool) throws {
        self.config = config
        let h = config.hiddenSize, i = config.intermediateSize
        // BertModel checkpoints name tensors from `embeddings.`; task models nest them under `bert.`.
        let prefix = file.has("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        func t(_ name: String, _ shape: [Int]) throws -> [Float] { try file.floats(prefix + name, shape: shape) }
        // LayerNorm parameters are `weight`/`bias` (older checkpoints: `gamma`/`beta`).
        func norm(_ name: String) throws -> ([Float], [Float]) {
            if file.has(prefix + name + ".gamma") {
                return (try t(name + ".gamma", [h]), try t(name + ".beta", [h]))
            }
            return (try t(name + ".weight", [h]), try t(name + ".bias", [h]))
        }
        func matrix(_ name: String, _ rows: Int, _ columns: Int) throws -> WeightMatrix {
            WeightMatrix(rows: rows, columns: columns, values: try t(name, [rows, columns]), bfloat16: bfloat16)
        }

        wordEmbeddings = try t("embeddings.word_embeddings.weight", [config.vocabSize, h])
        positionEmbeddings = try t("embeddings.position_embeddings.weight", [config.maxPositions, h])
        tokenTypeEmbeddings = try t("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h])
        (embeddingNormGamma, embeddingNormBeta) = try norm("embeddings.LayerNorm")

        var layers: [Layer] = []
        for l in 0..<config.layers {
            let p = "encoder.layer.\(l)."
            let q = try t(p + "attention.self.query.weight", [h, h])
            let k = try t(p + "attention.self.key.weight", [h, h])
            let v = try t(p + "attention.self.value.weight", [h, h])
            let qb = try t(p + "attention.self.query.bias", [h])
            let kb = try t(p + "attention.self.key.bias", [h])
            let vb = try t(p + "attention.self.value.bias", [h])
            let (ag, ab) = try norm(p + "attention.output.LayerNorm")
            let (og, ob) = try norm(p + "output.LayerNorm")
            layers.append(Layer(
                qkv: WeightMatrix(rows: 3 * h, columns: h, values: q + k + v, bfloat16: bfloat16),
                qkvBias: qb + kb + vb,
                attentionOut: try matrix(p + "attention.output.dense.weight", h, h),
                attentionOutBias: try t(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: ag, attentionNormBeta: ab,
                up: try matrix(p + "intermediate.dense.weight", i, h),
                upBias: try t(p + "intermediate.dense.bias", [i]),
                down: try matrix(p + "output.dense.weight", h, i),
                downBias: try t(p + "output.dense.bias", [h]),
                outputNormGamma: og, outputNormBeta: ob))
        }
        self.layers = layers

        if withHead {
            // The pooler and classifier are F32 always: one row per sequence, no gain from BF16.
            pooler = WeightMatrix(rows: h, columns: h, values: try t("pooler.dense.weight", [h, h]), bfloat16: false)
            poolerBias = try t("pooler.dense.bias", [h])
            classifier = try file.floats("classifier.weight", shape: [config.numLabels, h])
            classifierBias = try file.floats("classifier.bias", shape: [config.numLabels])
        } else {
            pooler = nil
            poolerBias = []
            classifier = []
            classifierBias = []
        }
    }
}

/// Buffers for one worker's forward passes, allocated once for a maximum token count and reused.
final class BertWorkspace {
    let capacity: Int        // tokens
    let maxLength: Int       // tokens per sequence
    let hidden: UnsafeMutablePointer<Float>   // [T, H]  the residual stream
    let qkv: UnsafeMutablePointer<Float>      // [T, 3H]
    let context: UnsafeMutablePointer<Float>  // [T, H]
    let inner: UnsafeMutablePointer<Float>    // [T, I]
    let scores: UnsafeMutablePointer<Float>   // [L, L]
    let bf16: UnsafeMutablePointer<UInt16>    // [T, max(H, I)]  activations rounded for sbgemm

    init(config: BertConfig, capacity: Int, maxLength: Int) {
        self.capacity = capacity
        self.maxLength = maxLength
        let h = config.hiddenSize, i = config.intermediateSize
        hidden = .allocate(capacity: capacity * h)
        qkv = .allocate(capacity: capacity * 3 * h)
        context = .allocate(capacity: capacity * h)
        inner = .allocate(capacity: capacity * max(i, h))
        scores = .allocate(capacity: maxLength * maxLength)
        bf16 = .allocate(capacity: capacity * max(h, i))
    }

    deinit {
        hidden.deallocate(); qkv.deallocate(); context.deallocate()
        inner.deallocate(); scores.deallocate(); bf16.deallocate()
    }
}

/// The BERT forward pass over a packed batch: the sequences' tokens are laid end to end (no padding
/// at all), the linear layers run once over all of them, and attention runs per sequence, so a
/// token attends exactly to its own sequence (what the padding mask achieves in PyTorch).
struct BertModel: Sendable {
    let weights: BertWeights
    var config: BertConfig { weights.config }

    /// Runs the encoder over `batch`; on return `ws.hidden` holds the last hidden states `[T, H]`,
    /// sequence `s` at rows `offsets[s] ..< offsets[s] + batch[s].ids.count`.
    func forward(_ batch: [EncodedInput], workspace ws: BertWorkspace, precision: EncoderPrecision) -> [Int] {
        let h = config.hiddenSize, heads = config.heads, d = config.headSize, inter = config.intermediateSize
        let eps = config.layerNormEps
        var offsets: [Int] = []
        var total = 0
        for input in batch { offsets.append(total); total += input.ids.count }
        precondition(total <= ws.capacity, "batch of \(total) tokens exceeds the workspace")

        // BertEmbeddings: word + position + token type, then LayerNorm.
        weights.wordEmbeddings.withUnsafeBufferPointer { word in
            weights.positionEmbeddings.withUnsafeBufferPointer { pos in
                weights.tokenTypeEmbeddings.withUnsafeBufferPointer { type in
                    for (s, input) in batch.enumerated() {
                        for (t, id) in input.ids.enumerated() {
                            let row = ws.hidden + (offsets[s] + t) * h
                            let w = word.baseAddress! + Int(id) * h
                            let p = pos.baseAddress! + t * h
                            let y = type.baseAddress! + Int(input.types[t]) * h
                            for j in 0..<h { row[j] = w[j] + p[j] + y[j] }
                        }
                    }
                }
            }
        }
        weights.embeddingNormGamma.withUnsafeBufferPointer { g in
            weights.embeddingNormBeta.withUnsafeBufferPointer { b in
                Kernels.addLayerNorm(ws.hidden, rows: total, n: h, bias: nil, residual: nil,
                                     gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps)
            }
        }

        let scale = 1 / Float(d).squareRoot()
        for layer in weights.layers {
            // BertSelfAttention: Q, K, V in one product [T, 3H].
            GEMM.linear(ws.hidden, rows: total, weight: layer.qkv, into: ws.qkv, precision: precision, scratch: ws.bf16)
            layer.qkvBias.withUnsafeBufferPointer { b in
                Kernels.addBias(ws.qkv, rows: total, n: 3 * h, bias: b.baseAddress!)
            }
            // Per sequence and head: softmax(Q K^T / sqrt(d)) V into the context [T, H].
            for (s, input) in batch.enumerated() {
                let n = input.ids.count
                let base = ws.qkv + offsets[s] * 3 * h
                for head in 0..<heads {
                    GEMM.multiply(m: n, n: n, k: d, alpha: scale,
                                  a: base + head * d, lda: 3 * h,
                                  b: base + h + head * d, ldb: 3 * h, transB: true,
                                  c: ws.scores, ldc: n)
                    Kernels.softmax(ws.scores, rows: n, n: n)
                    GEMM.multiply(m: n, n: d, k: n,
                                  a: ws.scores, lda: n,
                                  b: base + 2 * h + head * d, ldb: 3 * h, transB: false,
                                  c: ws.context + offsets[s] * h + head * d, ldc: h)
                }
            }
            // BertSelfOutput: dense, then LayerNorm(x + residual) into the residual stream.
            GEMM.linear(ws.context, rows: total, weight: layer.attentionOut, into: ws.inner, precision: precision, scratch: ws.bf16)
            layer.attentionOutBias.withUnsafeBufferPointer { b in
                layer.attentionNormGamma.withUnsafeBufferPointer { g in
                    layer.attentionNormBeta.withUnsafeBufferPointer { be in
                        // hidden = LN(inner + b + hidden)
                        Kernels.addLayerNorm(ws.inner, rows: total, n: h, bias: b.baseAddress!, residual: ws.hidden,
                                             gamma: g.baseAddress!, beta: be.baseAddress!, eps: eps)
                    }
                }
            }
            ws.hidden.update(from: ws.inner, count: total * h)
            // BertIntermediate (dense + GELU) and BertOutput (dense, LayerNorm(x + residual)).
            GEMM.linear(ws.hidden, rows: total, weight: layer.up, into: ws.inner, precision: precision, scratch: ws.bf16)
            layer.upBias.withUnsafeBufferPointer { b in
                Kernels.biasGELU(ws.inner, rows: total, n: inter, bias: b.baseAddress!)
            }
            GEMM.linear(ws.inner, rows: total, weight: layer.down, into: ws.context, precision: precision, scratch: ws.bf16)
            layer.downBias.withUnsafeBufferPointer { b in
                layer.outputNormGamma.withUnsafeBufferPointer { g in
                    layer.outputNormBeta.withUnsafeBufferPointer { be in
                        Kernels.addLayerNorm(ws.context, rows: total, n: h, bias: b.baseAddress!, residual: ws.hidden,
                                             gamma: g.baseAddress!, beta: be.baseAddress!, eps: eps)
                    }
                }
            }
            ws.hidden.update(from: ws.context, count: total * h)
        }
        return offsets
    }

    /// BertPooler + classifier of BertForSequenceClassification: the logits of the sequence whose
    /// [CLS] state is at `cls` (`[H]`): `classifier(tanh(pooler(h_cls)))`.
    func classify(cls: UnsafePointer<Float>) -> [Double] {
        let h = config.hiddenSize, labels = config.numLabels
        guard let pooler = weights.pooler else { return [] }
        var pooled = [Float](repeating: 0, count: h)
        var logits = [Float](repeating: 0, count: labels)
        pooled.withUnsafeMutableBufferPointer { out in
            pooler.f32.withUnsafeBufferPointer { w in
                GEMM.multiply(m: 1, n: h, k: h, a: cls, lda: h, b: w.baseAddress!, ldb: h, transB: true,
                              c: out.baseAddress!, ldc: h)
            }
            for j in 0..<h { out[j] = tanh(out[j] + weights.poolerBias[j]) }
            logits.withUnsafeMutableBufferPointer { l in
                weights.classifier.withUnsafeBufferPointer { w in
                    GEMM.multiply(m: 1, n: labels, k: h, a: out.baseAddress!, lda: h, b: w.baseAddress!, ldb: h,
                                  transB: true, c: l.baseAddress!, ldc: labels)
                }
            }
        }
        return (0..<labels).map { Double(logits[$0] + weights.classifierBias[$0]) }
    }
}
