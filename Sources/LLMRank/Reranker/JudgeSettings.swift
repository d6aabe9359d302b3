/// The LLM judge stage of a profile: the method, its prompt and the request options.
public struct JudgeSettings: Sendable, Hashable, Codable {
    /// The method; nil: the prompt's own method, or pointwise when no prompt is named.
    public var method: JudgeMethod?
    /// A shipped prompt name or a prompt file (a relative path in a profile is relative to the
    /// profile's folder); nil: the method's default prompt.
    public var prompt: String?
    /// `temperature` in a profile, 0...2 (`JudgeOptions.temperature`).
    public var temperature: Double
    /// `seed` in a profile; nil sends none (`JudgeOptions.seed`).
    public var seed: Int?
    /// `max_tokens` in a profile; nil: the method's default (`JudgeOptions.maxTokens`).
    public var maxTokens: Int?
    /// `expected_score` in a profile: pointwise scores as the mean over the scale's token
    /// probabilities (`JudgeOptions.expectedScore`).
    public var expectedScore: Bool
    /// Listwise and first: passages per window (2...100; first 2...20, a lettered prompt at most 26).
    public var window: Int
    /// Listwise and first (sliding): how far each window moves (1...window).
    public var step: Int
    /// Listwise: passages are cut to this many words (flagged `truncated`).
    public var maxWords: Int
    /// Alternatives per token asked for with logprobs (1...20).
    public var topLogprobs: Int
    /// How structured output is asked for.
    public var jsonMode: JSONMode
    /// `allpairs_max` in a profile: pairwise compares all pairs of lists this long or shorter (2...100).
    public var allPairsMax: Int
    /// `top_k` in a profile: pairwise (sliding), setwise and top-down windows order this many
    /// documents at the top (1...1000; below `window` for top-down).
    public var topK: Int
    /// `set_size` in a profile: setwise passages per call (2...20).
    public var setSize: Int
    /// `strategy` in a profile: how listwise and first walk a list longer than a window
    /// (`sliding`, `topdown`).
    public var strategy: WindowStrategy
    /// `setwise_sort` in a profile: setwise's sort (`heap`, `bubble`).
    public var setwiseSort: SetwiseSort

    /// A judge stage; every argument has the documented default.
    public init(method: JudgeMethod? = nil, prompt: String? = nil, temperature: Double = 0, seed: Int? = nil,
                maxTokens: Int? = nil, expectedScore: Bool = false, window: Int = 20, step: Int = 10,
                maxWords: Int = 300, topLogprobs: Int = 10, jsonMode: JSONMode = .auto,
                allPairsMax: Int = 20, topK: Int = 10, setSize: Int = 4,
                strategy: WindowStrategy = .sliding, setwiseSort: SetwiseSort = .heap)
    {
        self.method = method
        self.prompt = prompt
        self.temperature = temperature
        self.seed = seed
        self.maxTokens = maxTokens
        self.expectedScore = expectedScore
        self.window = window
        self.step = step
        self.maxWords = maxWords
        self.topLogprobs = topLogprobs
        self.jsonMode = jsonMode
        self.allPairsMax = allPairsMax
        self.topK = topK
        self.setSize = setSize
        self.strategy = strategy
        self.setwiseSort = setwiseSort
    }

    /// The prompt this judge uses: the named one, checked against `method`, or the method's default.
    public func resolvePrompt() throws -> PromptTemplate {
        if let prompt {
            let template = try PromptLibrary.resolve(prompt)
            if let method, method != template.method {
                throw ConfigurationFault(path: ["prompt"], message: "'\(prompt)' is a \(template.method) prompt but the method is \(method)")
            }
            return template
        }
        return try PromptLibrary.named(PromptLibrary.defaultName(for: method ?? .pointwise))
    }

    /// The judge options for `model`, judging `concurrency` documents at once.
    func options(model: String, concurrency: Int) -> JudgeOptions {
        JudgeOptions(model: model, temperature: temperature, seed: seed, maxTokens: maxTokens,
                     expectedScore: expectedScore, window: window, step: step, maxWords: maxWords,
                     topLogprobs: topLogprobs, concurrency: concurrency, jsonMode: jsonMode,
                     allPairsMax: allPairsMax, topK: topK, setSize: setSize, windowStrategy: strategy,
                     setwiseSort: setwiseSort)
    }

    func validate(_ path: [String]) throws {
        try ConfigurationCheck.finite(temperature, 0...2, path + ["temperature"])
        try ConfigurationCheck.inRange(maxTokens, 1...1_000_000, path + ["max_tokens"])
        try ConfigurationCheck.inRange(window, 2...100, path + ["window"])
        try ConfigurationCheck.inRange(step, 1...window, path + ["step"])
        try ConfigurationCheck.inRange(maxWords, 1...1_000_000, path + ["max_words"])
        try ConfigurationCheck.inRange(topLogprobs, 1...20, path + ["top_logprobs"])
        try ConfigurationCheck.inRange(allPairsMax, 2...100, path + ["allpairs_max"])
        try ConfigurationCheck.inRange(topK, 1...1000, path + ["top_k"])
        try ConfigurationCheck.inRange(setSize, 2...20, path + ["set_size"])
        if let prompt, prompt.isEmpty { throw ConfigurationFault(path: path + ["prompt"], message: "must name a prompt") }
    }

    /// The rules that depend on the prompt (`template`, the one this judge resolves): first's
    /// window holds at most 20 passages, a prompt labelling with letters at most 26 a call, and
    /// top-down needs a pivot inside the window (top_k below window).
    func check(_ template: PromptTemplate, _ path: [String]) throws {
        let method = template.method
        let windowed = method == .listwise || method == .first
        if method == .first, window > FirstStrategy.maxWindow {
            throw ConfigurationFault(path: path + ["window"],
                                     message: "must be between 2 and \(FirstStrategy.maxWindow) for first (one alternative per passage, and endpoints return at most 20), got \(window)")
        }
        if let capacity = template.labelStyle.capacity {
            let (field, size) = method == .setwise ? ("set_size", setSize) : ("window", windowed ? window : 2)
            if size > capacity {
                throw ConfigurationFault(path: path + [field],
                                         message: "must be at most \(capacity): prompt '\(template.name)' labels passages with letters, got \(size)")
            }
        }
        if windowed, strategy == .topdown, topK >= window {
            throw ConfigurationFault(path: path + ["top_k"], message: "must be less than window (\(window)) with strategy topdown, got \(topK)")
        }
    }

    static let keys = ["method", "prompt", "temperature", "seed", "max_tokens", "expected_score", "window", "step",
                       "max_words", "top_logprobs", "json_mode", "allpairs_max", "top_k", "set_size", "strategy",
                       "setwise_sort"]

    /// Reads the `judge:` mapping; absent fields keep their defaults, unknown ones are errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        let d = JudgeSettings()
        self.init(method: try c.name(JudgeMethod.self, "method"), prompt: try c.optional(String.self, "prompt"),
                  temperature: try c.optional(Double.self, "temperature") ?? d.temperature,
                  seed: try c.optional(Int.self, "seed"), maxTokens: try c.optional(Int.self, "max_tokens"),
                  expectedScore: try c.optional(Bool.self, "expected_score") ?? d.expectedScore,
                  window: try c.optional(Int.self, "window") ?? d.window, step: try c.optional(Int.self, "step") ?? d.step,
                  maxWords: try c.optional(Int.self, "max_words") ?? d.maxWords,
                  topLogprobs: try c.optional(Int.self, "top_logprobs") ?? d.topLogprobs,
                  jsonMode: try c.name(JSONMode.self, "json_mode") ?? d.jsonMode,
                  allPairsMax: try c.optional(Int.self, "allpairs_max") ?? d.allPairsMax,
                  topK: try c.optional(Int.self, "top_k") ?? d.topK,
                  setSize: try c.optional(Int.self, "set_size") ?? d.setSize,
                  strategy: try c.name(WindowStrategy.self, "strategy") ?? d.strategy,
                  setwiseSort: try c.name(SetwiseSort.self, "setwise_sort") ?? d.setwiseSort)
    }

    /// Writes the mapping a profile would hold.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(method?.rawValue, "method")
        try c.put(prompt, "prompt")
        try c.put(temperature, "temperature")
        try c.put(seed, "seed")
        try c.put(maxTokens, "max_tokens")
        try c.put(expectedScore, "expected_score")
        try c.put(window, "window")
        try c.put(step, "step")
        try c.put(maxWords, "max_words")
        try c.put(topLogprobs, "top_logprobs")
        try c.put(jsonMode.rawValue, "json_mode")
        try c.put(allPairsMax, "allpairs_max")
        try c.put(topK, "top_k")
        try c.put(setSize, "set_size")
        try c.put(strategy.rawValue, "strategy")
        try c.put(setwiseSort.rawValue, "setwise_sort")
    }
}
