import Foundation

/// The local encoder as a pipeline stage: it scores every candidate of the head with a BERT
/// cross-encoder (or bi-encoder cosine), orders them best first, and keeps the top `keep`.
/// Documents cut by the model's max length are flagged `truncated` (or scored in chunks, flagged
/// `chunked`, when the options ask for chunks).
public struct EncoderStage: RerankStage {
    /// The model a pipeline uses when none is named (`scripts/fetch-models` installs it).
    public static let defaultModel = "all-MiniLM-L6-v2"

    /// The loaded model.
    public let encoder: LocalEncoder
    /// Candidates kept for the next stage; nil keeps all of them.
    public var keep: Int?
    /// How documents are scored (chunks or truncation).
    public var options: EncoderOptions
    /// `encoder`, in stage scores, flags and traces.
    public var name: String { "encoder" }

    /// A stage over a model already loaded.
    public init(encoder: LocalEncoder, keep: Int? = nil, options: EncoderOptions = EncoderOptions()) {
        self.encoder = encoder
        self.keep = keep
        self.options = options
    }

    /// Loads the model folder (a path, or a name under `$LLMRANK_HOME/models`) on a thread of its
    /// own, so reading and converting the weights never holds Swift's cooperative threads.
    public static func load(nameOrPath: String, keep: Int? = nil, options: EncoderOptions = EncoderOptions(),
                            precision: EncoderPrecision = .auto,
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> EncoderStage
    {
        let encoder = try await Blocking.run {
            try LocalEncoder.load(nameOrPath: nameOrPath, precision: precision, environment: environment)
        }
        return EncoderStage(encoder: encoder, keep: keep, options: options)
    }

    /// Scores the list with the encoder, best first (ties keep their incoming order).
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
