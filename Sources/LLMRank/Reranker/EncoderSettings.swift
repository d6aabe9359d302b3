/// The local encoder stage of a profile: which model, how many candidates go on, and how it runs.
public struct EncoderSettings: Sendable, Hashable, Codable {
    /// A model folder, or a name under `$LLMRANK_HOME/models`.
    public var model: String
    /// Candidates that go on to the judge; nil keeps them all (the encoder alone ranks them).
    public var keep: Int?
    /// `auto` (the default: bfloat16 where the CPU has AVX512-BF16, else float32), `float32`
    /// (matches PyTorch to 1e-5) or `bfloat16` (float32 on a CPU without AVX512-BF16).
    public var precision: EncoderPrecision
    /// Score long documents in overlapping chunks and keep the maximum, instead of truncating.
    public var chunk: Bool

    /// The model the shipped profiles and the CLI use when none is named.
    public static let defaultModel = "all-MiniLM-L6-v2"

    /// An encoder stage; every argument has the documented default.
    public init(model: String = EncoderSettings.defaultModel, keep: Int? = nil, precision: EncoderPrecision = .auto,
                chunk: Bool = false)
    {
        self.model = model
        self.keep = keep
        self.precision = precision
        self.chunk = chunk
    }

    func validate(_ path: [String]) throws {
        if model.isEmpty { throw ConfigurationFault(path: path + ["model"], message: "must name a model") }
        try ConfigurationCheck.atLeast(keep, 1, path + ["keep"])
    }

    static let keys = ["model", "keep", "precision", "chunk"]

    /// Reads the `encoder:` mapping; absent fields keep their defaults, unknown ones are errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        self.init(model: try c.optional(String.self, "model") ?? Self.defaultModel,
                  keep: try c.optional(Int.self, "keep"),
                  precision: try c.name(EncoderPrecision.self, "precision") ?? .auto,
                  chunk: try c.optional(Bool.self, "chunk") ?? false)
    }

    /// Writes the mapping a profile would hold.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(model, "model")
        try c.put(keep, "keep")
        try c.put(precision.rawValue, "precision")
        try c.put(chunk, "chunk")
    }
}
