/// Where a score was read from, strongest evidence first.
public enum ScoreSource: String, Sendable, Hashable, Codable {
    /// The score key of a JSON object (`{"score": 4}`).
    case json
    /// The prompt's `text_pattern`.
    case pattern
    /// A number after a label: `Score: 7`, `Relevance: 8 out of 10`, `"score": 4`, `<score>2</score>`.
    case label
    /// A number after a verb of judging: "I would rate it 3", "I give this passage a 2".
    case verb
    /// A fraction whose denominator is the scale's maximum: `7/10`, `8 out of 10`.
    case fraction
    /// An emphasised number: `**4**`, `__4__`, `[[4]]`.
    case emphasis
    /// A number alone on its line ("4", "4.", "(4)").
    case line
    /// The one in-range number of a reply that has nothing stronger.
    case number
    /// Probabilities of the first answer token (yes/no).
    case logprobs
    /// The generated token itself, where no probabilities were returned (flagged `no-logprobs`).
    case generatedToken = "generated-token"
}

/// A score read from a reply.
public struct ParsedScore: Sendable, Hashable, Codable {
    /// The score, always within the scale (clamped when the reply was outside it).
    public var value: Double
    /// The number as the reply gave it, before clamping.
    public var raw: Double
    /// What had to be done to get `value`: `clamped`, `no-logprobs`. Parsers leave `stage` nil; the
    /// judge that uses the score sets it.
    public var flags: [Flag]
    /// Where the score came from: JSON, text or token probabilities.
    public var source: ScoreSource
    /// The text the score was read from ("Score: 7", "**4**"), at most about 80 characters.
    public var evidence: String

    /// A score with its raw value, flags, source and evidence.
    public init(value: Double, raw: Double, flags: [Flag] = [], source: ScoreSource, evidence: String) {
        self.value = value
        self.raw = raw
        self.flags = flags
        self.source = source
        self.evidence = evidence
    }
}
