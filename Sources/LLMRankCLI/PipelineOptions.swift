import ArgumentParser
import Foundation
import LLMRank

/// The methods `--method` names: the judge's methods (every one `JudgeMethod` registers),
/// `encoder` for the local model alone, or `remote` for a remote rerank API alone.
struct MethodName: RawRepresentable, ExpressibleByArgument, CaseIterable, Hashable, Sendable {
    let rawValue: String

    init?(rawValue: String) {
        guard rawValue == Self.encoder.rawValue || rawValue == Self.remote.rawValue || JudgeMethod(rawValue: rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// The local model alone, no judge.
    static let encoder = MethodName("encoder")
    /// A remote rerank API alone (`--remote-url`), no judge.
    static let remote = MethodName("remote")

    /// The judge's methods, then `encoder` and `remote`.
    static var allCases: [MethodName] { JudgeMethod.allCases.map { MethodName($0.rawValue) } + [encoder, remote] }

    /// The judge method this names; nil for `encoder`.
    var judge: JudgeMethod? { JudgeMethod(rawValue: rawValue) }
}

/// Flags that describe a pipeline, shared by `rerank` and `eval`. With `--profile` they override the
/// profile's fields; without one they build the configuration from scratch. Every default lives in
/// the library's `RerankerConfiguration`, so an unset flag here is nil.
struct PipelineOptions: ParsableArguments {
    @Option(name: .customLong("profile"), help: "A shipped profile (see `llmrank profiles list`) or a profile YAML file; the flags below override its fields. `serve` takes several.")
    var profiles: [String] = []

    /// The one profile of `rerank` and `eval` (they refuse several).
    var profile: String? { profiles.last }

    @Option(help: "Judge method: \(JudgeMethod.allCases.map(\.rawValue).joined(separator: ", ")), encoder (the local model alone) or remote (--remote-url alone). Default: pointwise.")
    var method: MethodName?

    @Option(name: .customLong("remote-url"), help: "A remote rerank API's full URL (e.g. https://api.cohere.com/v2/rerank): a stage before the encoder and the judge, or alone with --method remote.")
    var remoteURL: String?

    @Option(name: .customLong("remote-api"), help: "The remote's shape: cohere (default), jina, tei or vllm.")
    var remoteAPI: RemoteAPI?

    @Option(name: .customLong("remote-model"), help: "The `model` sent to the remote (cohere, jina, vllm).")
    var remoteModel: String?

    @Option(name: .customLong("remote-key-env"), help: "The environment variable holding the remote's key (sent as a bearer token, never logged).")
    var remoteKeyEnv: String?

    @Option(name: .customLong("remote-keep"), help: "Give the later stages only the remote's top K.")
    var remoteKeep: Int?

    @Option(help: "Prompt: a shipped name (see `llmrank prompts list`) or a YAML file. Its method is used when --method is not given.")
    var prompt: String?

    @Option(help: "Encoder model: a folder, or a name under $LLMRANK_HOME/models (default all-MiniLM-L6-v2).")
    var encoder: String?

    @Option(help: "Run the encoder first and give the LLM only its top K.")
    var prefilter: Int?

    @Option(help: "Fuse the encoder's and the judge's scores: rrf, rrf:K, or weighted:W (W = the judge's weight). Needs --prefilter (or a profile with an encoder).")
    var fuse: String?

    @Option(name: .customLong("encoder-precision"), help: "Encoder arithmetic: auto (default: bfloat16 on AVX512-BF16 CPUs, else float32), float32 (matches PyTorch) or bfloat16.")
    var encoderPrecision: EncoderPrecision?

    @ArgumentParser.Flag(help: "Encoder: score long documents in overlapping chunks and keep the maximum.")
    var chunk = false

    @ArgumentParser.Flag(name: .customLong("expected-score"), help: "Pointwise: the probability-weighted score over the scale's tokens (needs logprobs).")
    var expectedScore = false

    @Option(help: "Listwise and first (at most 20): passages per window (default 20).")
    var window: Int?

    @Option(help: "Listwise: how far each window moves (default 10).")
    var step: Int?

    @Option(name: .customLong("max-words"), help: "Every method: passages are cut to this many words before they enter a prompt, flagged truncated (default 300).")
    var maxWords: Int?

    @Option(name: .customLong("allpairs-max"), help: "Pairwise: compare all pairs of lists this long or shorter, else slide (default 20).")
    var allPairsMax: Int?

    @Option(name: .customLong("top-k"), help: "Pairwise (sliding), setwise and --strategy topdown: documents put in order at the top (default 10).")
    var topK: Int?

    @Option(name: .customLong("set-size"), help: "Setwise: passages per call (default 4).")
    var setSize: Int?

    @Option(help: "Listwise and first: how a list longer than a window is walked: sliding (default) or topdown (top-down partitioning for the top --top-k).")
    var strategy: WindowStrategy?

    @Option(name: .customLong("setwise-sort"), help: "Setwise: heap (default) or bubble sort.")
    var setwiseSort: SetwiseSort?

    @Option(name: .customLong("json-mode"), help: "Structured output: auto (schema, else object, else text; default), schema, object, off.")
    var jsonMode: JSONMode?

    @Option(help: "Sampling temperature for the judge (default 0).")
    var temperature: Double?

    @Option(help: "Seed sent with each request, where the endpoint honours it.")
    var seed: Int?

    @Option(name: .customLong("max-calls"), help: "Budget per query: LLM calls that reach the endpoint.")
    var maxCalls: Int?

    @Option(name: .customLong("max-tokens-per-query"), help: "Budget per query: prompt plus completion tokens.")
    var maxTokensPerQuery: Int?

    @Option(help: "Budget per query: seconds of wall time.")
    var deadline: Double?

    @Option(help: "Judgment cache: a SQLite file (default $LLMRANK_HOME/judgments.sqlite) or postgres://user:password@host:port/database (also LLMRANK_CACHE_URL).")
    var cache: String?

    @ArgumentParser.Flag(name: .customLong("no-cache"), help: "Neither read nor write the judgment cache.")
    var noCache = false

    @ArgumentParser.Flag(help: "Exit with an error (code 4) when any document needed a fallback.")
    var strict = false

    func validate() throws {
        if let prefilter, prefilter < 1 { throw ValidationError("--prefilter must be at least 1") }
        if let window, window < 2 { throw ValidationError("--window must be at least 2") }
        if let step, step < 1 { throw ValidationError("--step must be at least 1") }
        if let window, let step, step > window { throw ValidationError("--step must not exceed --window") }
        if let maxWords, maxWords < 1 { throw ValidationError("--max-words must be at least 1") }
        if let allPairsMax, !(2...100).contains(allPairsMax) { throw ValidationError("--allpairs-max must be between 2 and 100") }
        if let topK, !(1...1000).contains(topK) { throw ValidationError("--top-k must be between 1 and 1000") }
        if let setSize, !(2...20).contains(setSize) { throw ValidationError("--set-size must be between 2 and 20") }
        if let temperature, !(temperature.isFinite && (0...2).contains(temperature)) {
            throw ValidationError("--temperature must be between 0 and 2")
        }
        if let maxCalls, maxCalls < 1 { throw ValidationError("--max-calls must be at least 1") }
        if let maxTokensPerQuery, maxTokensPerQuery < 1 { throw ValidationError("--max-tokens-per-query must be at least 1") }
        if let deadline, !(deadline.isFinite && deadline > 0 && deadline <= 1e9) {
            throw ValidationError("--deadline must be a positive number of seconds, at most 1e9")
        }
        if noCache, cache != nil { throw ValidationError("--cache and --no-cache exclude each other") }
        if let remoteKeep, remoteKeep < 1 { throw ValidationError("--remote-keep must be at least 1") }
        if method == .remote, prompt != nil || fuse != nil || prefilter != nil {
            throw ValidationError("--method remote is the remote alone: --prompt, --fuse and --prefilter need other stages")
        }
        if method == .encoder, prompt != nil { throw ValidationError("--prompt needs a judge: --method encoder has none") }
        if method == .encoder, fuse != nil { throw ValidationError("--fuse needs a judge: --method encoder has none") }
        if let fuse {
            do { _ = try FusionSettings.parse(fuse) } catch let error as LLMRankError { throw ValidationError("--fuse \(error.message)") }
        }
    }

    /// `rerank` and `eval` run one profile: several `--profile`s are refused there.
    func requireOneProfile() throws {
        if profiles.count > 1 { throw ValidationError("--profile is given once (only `llmrank serve` serves several)") }
    }

    /// The configuration: the profile (`--profile`, or `profile` when given, else the library's
    /// defaults) with every given flag applied.
    func configuration(endpoint: EndpointOptions, profile: String? = nil, depth: Int? = nil, topN: Int? = nil) throws -> RerankerConfiguration {
        var config = try (profile ?? self.profile).map { try ProfileLibrary.resolve($0) } ?? RerankerConfiguration()
        try applyRemote(to: &config)
        if method == .remote {
            config.judge = nil
            config.fusion = nil
            config.encoder = nil
        } else if method == .encoder {
            config.judge = nil
            config.fusion = nil
            if config.encoder == nil { config.encoder = EncoderSettings() }
        } else if let judgeMethod = method?.judge {
            var judge = config.judge ?? JudgeSettings()
            if judge.method != judgeMethod, prompt == nil { judge.prompt = nil }
            judge.method = judgeMethod
            config.judge = judge
        }
        if let prompt {
            var judge = config.judge ?? JudgeSettings()
            judge.prompt = prompt
            if method == nil { judge.method = nil }
            config.judge = judge
        }
        if let prefilter {
            var encoder = config.encoder ?? EncoderSettings()
            encoder.keep = prefilter
            config.encoder = encoder
        }
        if encoder != nil || encoderPrecision != nil || chunk, config.encoder == nil, config.judge != nil {
            throw LLMRankError(.invalidInput, "--encoder, --encoder-precision and --chunk need an encoder stage: add --prefilter K or --method encoder")
        }
        if let encoder { config.encoder?.model = encoder }
        if let encoderPrecision { config.encoder?.precision = encoderPrecision }
        if chunk { config.encoder?.chunk = true }
        if let fuse {
            guard config.encoder != nil, config.judge != nil else {
                throw LLMRankError(.invalidInput, "--fuse fuses the encoder's and the judge's scores: add --prefilter K")
            }
            config.fusion = try FusionSettings.parse(fuse)
        }
        if config.judge != nil {
            if let window { config.judge?.window = window }
            if let step { config.judge?.step = step }
            if let maxWords { config.judge?.maxWords = maxWords }
            if let allPairsMax { config.judge?.allPairsMax = allPairsMax }
            if let topK { config.judge?.topK = topK }
            if let setSize { config.judge?.setSize = setSize }
            if let strategy { config.judge?.strategy = strategy }
            if let setwiseSort { config.judge?.setwiseSort = setwiseSort }
            if let jsonMode { config.judge?.jsonMode = jsonMode }
            if let temperature { config.judge?.temperature = temperature }
            if let seed { config.judge?.seed = seed }
            if expectedScore { config.judge?.expectedScore = true }
        }
        if let maxCalls { config.budget.maxCalls = maxCalls }
        if let maxTokensPerQuery { config.budget.maxTokens = maxTokensPerQuery }
        if let deadline { config.budget.deadline = BudgetLimits.duration(seconds: deadline) }
        if noCache {
            config.store = .none
        } else if let cache = cache ?? ProcessInfo.processInfo.environment["LLMRANK_CACHE_URL"] {
            config.store = StoreSetting(cache)
        }
        if let depth { config.depth = depth }
        if let topN { config.topN = topN }
        endpoint.apply(to: &config.endpoint)
        try config.validate()
        return config
    }
}

extension PipelineOptions {
    /// `--remote-url` makes (or replaces the URL of) the remote stage; the other `--remote-*` flags
    /// set its fields and need one.
    func applyRemote(to config: inout RerankerConfiguration) throws {
        if let remoteURL {
            if config.remote == nil { config.remote = RemoteSettings(url: remoteURL) } else { config.remote?.url = remoteURL }
        }
        let fields = remoteAPI != nil || remoteModel != nil || remoteKeyEnv != nil || remoteKeep != nil
        if config.remote == nil, fields || method == .remote {
            throw LLMRankError(.invalidInput, "--method remote and the --remote-* flags need a remote stage: add --remote-url URL")
        }
        if let remoteAPI { config.remote?.api = remoteAPI }
        if let remoteModel { config.remote?.model = remoteModel }
        if let remoteKeyEnv { config.remote?.keyEnv = remoteKeyEnv }
        if let remoteKeep { config.remote?.keep = remoteKeep }
    }
}

extension RemoteAPI: ExpressibleByArgument {}
extension EncoderPrecision: ExpressibleByArgument {}
extension JSONMode: ExpressibleByArgument {}
extension WindowStrategy: ExpressibleByArgument {}
extension SetwiseSort: ExpressibleByArgument {}
