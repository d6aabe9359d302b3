/// The local encoder as a pipeline stage: it scores every candidate of the head with a BERT
/// cross-encoder (or bi-encoder cosine), orders them best first, and keeps the top `keep`.
/// Documents cut by the model's max length are flagged `truncated` (or scored in chunks, flagged
/// `chunked`, with `--chunk`).
public struct EncoderStage: RerankStage {
    public static let defaultModel = "all-MiniLM-L6-v2"

    public let encoder: LocalEncoder
    public var keep: Int?
    public var options: EncoderOptions
    public var name: String { "encoder" }

    public init(encoder: LocalEncoder, keep: Int? = nil, options: EncoderOptions = EncoderOptions()) {
        self.encoder = encoder
        self.keep = keep
        self.options = options
    }

    /// Loads the model folder (a path, or a name under `$LLMRANK_HOME/models`).
    public init(nameOrPath: String, keep: Int? = nil, options: EncoderOptions = EncoderOptions(),
                precision: EncoderPrecision = .auto) throws
    {
        self.init(encoder: try LocalEncoder.load(nameOrPath: nameOrPath, precision: precision), keep: keep, options: options)
    }

    public func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList {
        let scores = try await encoder.score(query: query.text, documents: list.candidates.map(\.text), options: options)
        var scored = list.candidates
        for i in scored.indices {
            let s = scores[i]
            scored[i].score = s.score
            scored[i].stageScores.append(StageScore(stage: name, score: s.score))
            if s.chunks > 1 {
                scored[i].flags.append(Flag(.chunked, stage: name, "\(s.chunks) chunks, maximum kept"))
            } else if s.truncated {
                scored[i].flags.append(Flag(.truncated, stage: name, "cut to \(encoder.maxLength) tokens"))
            }
        }
        let order = scored.indices.sorted { scores[$0].score != scores[$1].score ? scores[$0].score > scores[$1].score : $0 < $1 }
        return RankedList(candidates: order.map { scored[$0] })
    }
}
