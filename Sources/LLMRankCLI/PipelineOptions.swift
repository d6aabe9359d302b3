import ArgumentParser
import Foundation
import LLMRank
import Logging

/// The methods `--method` names.
enum MethodName: String, ExpressibleByArgument, CaseIterable, Sendable {
    case pointwise, aspects, yesno, listwise, encoder
}

/// Flags that build a pipeline: the judge method and its prompt, the encoder stage, fusion,
/// budgets, the cache. Shared by `rerank` and `eval`.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Judge method: pointwise, aspects, yesno, listwise, or encoder (the local model alone).")
    var method: MethodName?

    @Option(help: "Prompt: a shipped name (see `llmrank prompts list`) or a YAML file. Its method is used when --method is not given.")
    var prompt: String?

    @Option(help: "Encoder model: a folder, or a name under $LLMRANK_HOME/models (default all-MiniLM-L6-v2).")
    var encoder: String?

    @Option(help: "Run the encoder first and give the LLM only its top K.")
    var prefilter: Int?

    @Option(help: "Fuse the encoder's and the judge's scores: rrf, rrf:K, or weighted:W (W = the judge's weight).")
    var fuse: String?

    @Option(name: .customLong("encoder-precision"), help: "Encoder: float32 (matches PyTorch) or bfloat16 (faster on AVX512-BF16 CPUs; F32 elsewhere).")
    var encoderPrecision: String = "float32"

    @ArgumentParser.Flag(help: "Encoder: score long documents in overlapping chunks and keep the maximum.")
    var chunk = false

    @ArgumentParser.Flag(name: .customLong("expected-score"), help: "Pointwise: the probability-weighted score over the scale's tokens (needs logprobs).")
    var expectedScore = false

    @Option(help: "Listwise: passages per window.")
    var window: Int = 20

    @Option(help: "Listwise: how far each window moves.")
    var step: Int = 10

    @Option(name: .customLong("max-words"), help: "Listwise: passages are cut to this many words (flagged).")
    var maxWords: Int = 300

    @Option(name: .customLong("json-mode"), help: "Structured output: auto (schema, else object, else text), schema, object, off.")
    var jsonMode: String = "auto"

    @Option(help: "Sampling temperature for the judge.")
    var temperature: Double = 0

    @Option(help: "Seed sent with each request, where the endpoint honours it.")
    var seed: Int?

    @Option(name: .customLong("max-calls"), help: "Budget per query: LLM calls that reach the endpoint.")
    var maxCalls: Int?

    @Option(name: .customLong("max-tokens-per-query"), help: "Budget per query: prompt plus completion tokens.")
    var maxTokensPerQuery: Int?

    @Option(help: "Budget per query: seconds of wall time.")
    var deadline: Double?

    @Option(help: "Judgment cache file (default $LLMRANK_HOME/judgments.sqlite).")
    var cache: String?

    @ArgumentParser.Flag(name: .customLong("no-cache"), help: "Neither read nor write the judgment cache.")
    var noCache = false

    @ArgumentParser.Flag(help: "Exit with an error (code 4) when any document needed a fallback.")
    var strict = false

    func validate() throws {
        if let prefilter, prefilter < 1 { throw ValidationError("--prefilter must be at least 1") }
        guard window >= 2, step >= 1, step <= window else {
            throw ValidationError("--window must be at least 2 and --step between 1 and --window")
        }
        guard JSONMode(rawValue: jsonMode) != nil else { throw ValidationError("--json-mode must be auto, schema, object or off") }
        if noCache, cache != nil { throw ValidationError("--cache and --no-cache exclude each other") }
        guard EncoderPrecision(rawValue: encoderPrecision) != nil else {
            throw ValidationError("--encoder-precision must be float32 or bfloat16")
        }
    }

    /// The judge's prompt, or nil when the pipeline has no LLM stage.
    func resolvePrompt() throws -> PromptTemplate? {
        if method == .encoder { return nil }
        if let prompt {
            let template = try PromptLibrary.resolve(prompt)
            if let method, method.rawValue != template.method.rawValue {
                throw LLMRankError(.invalidInput, "--prompt \(prompt) is a \(template.method) prompt but --method is \(method.rawValue)")
            }
            return template
        }
        let judgeMethod = JudgeMethod(rawValue: (method ?? .pointwise).rawValue) ?? .pointwise
        return try PromptLibrary.named(PromptLibrary.defaultName(for: judgeMethod))
    }

    var needsEncoder: Bool { method == .encoder || prefilter != nil }

    var needsLLM: Bool { method != .encoder }

    var budget: BudgetLimits {
        BudgetLimits(maxCalls: maxCalls, maxTokens: maxTokensPerQuery,
                     deadline: deadline.map { .milliseconds(Int($0 * 1000)) })
    }

    func openCache() throws -> JudgmentCache? {
        if noCache { return nil }
        let path = cache.map { URL(fileURLWithPath: $0) } ?? LLMRankPaths.defaultCache()
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try JudgmentCache.open(path: path)
    }

    /// Builds the pipeline over `client` (nil when no LLM stage is needed).
    func makePipeline(client: (any ChatCompleting)?, model: String, concurrency: Int, topN: Int?,
                      logger: Logger) throws -> Pipeline
    {
        var stages: [any RerankStage] = []
        var scoring: [String] = []
        if needsEncoder {
            let stage = try EncoderStage(nameOrPath: encoder ?? EncoderStage.defaultModel,
                                         keep: method == .encoder ? nil : prefilter,
                                         options: EncoderOptions(chunk: chunk),
                                         precision: EncoderPrecision(rawValue: encoderPrecision) ?? .float32)
            stages.append(stage)
            scoring.append(stage.name)
        }
        if needsLLM, let template = try resolvePrompt(), let client {
            var chat: any ChatCompleting = client
            if let cache = try openCache() {
                chat = CachedChat(upstream: client, cache: cache, methodVersion: template.methodVersion, logger: logger)
            }
            let options = JudgeOptions(model: model, temperature: temperature, seed: seed, expectedScore: expectedScore,
                                       window: window, step: step, maxWords: maxWords, concurrency: concurrency,
                                       jsonMode: JSONMode(rawValue: jsonMode) ?? .auto)
            let judge = Judge(prompt: template, chat: chat, options: options)
            stages.append(JudgeStage(judge: judge))
            scoring.append(judge.stageName)
        }
        if let fuse {
            stages.append(try FusionStage.parse(fuse, stages: scoring))
        }
        return Pipeline(stages: stages, budget: budget, topN: topN)
    }
}
