import Foundation

/// What one request may change in a running reranker's profile: the method (another judge method
/// over the same endpoint and store, or `encoder` for the encoder alone), the budget's fields, and
/// `top_n`. Unset fields keep the profile's. The server's native route builds one per request.
public struct RerankOverrides: Sendable, Hashable {
    /// A judge method's name, or `encoder`; nil keeps the profile's stages.
    public var method: String?
    /// Budget fields that replace the profile's; nil fields keep them.
    public var budget: BudgetLimits
    /// Return only the first n; nil keeps the profile's.
    public var topN: Int?

    /// Overrides; every argument defaults to "keep the profile's".
    public init(method: String? = nil, budget: BudgetLimits = BudgetLimits(), topN: Int? = nil) {
        self.method = method
        self.budget = budget
        self.topN = topN
    }

    /// True when nothing is overridden.
    public var isEmpty: Bool { method == nil && budget.isUnlimited && topN == nil }
}

extension Reranker {
    /// The configuration a request with `overrides` runs; throws `.invalidInput` whose message
    /// starts with the field at fault (`method: ...`, `budget.max_calls: ...`, `top_n: ...`) when the
    /// profile cannot run it.
    public func configuration(with overrides: RerankOverrides) throws -> RerankerConfiguration {
        var config = configuration
        if let method = overrides.method {
            if method == "encoder" {
                guard config.encoder != nil else {
                    throw LLMRankError(.invalidInput, "method: this profile has no encoder stage to run alone")
                }
                config.judge = nil
                config.fusion = nil
            } else if let judgeMethod = JudgeMethod(rawValue: method) {
                guard var judge = config.judge else {
                    throw LLMRankError(.invalidInput, "method: this profile has no judge stage (no LLM endpoint) to run '\(method)'")
                }
                if judge.method != judgeMethod { judge.prompt = nil }
                judge.method = judgeMethod
                config.judge = judge
            } else {
                let known = JudgeMethod.allCases.map(\.rawValue) + ["encoder"]
                throw LLMRankError(.invalidInput, "method: '\(method)' is not one of \(known.joined(separator: ", "))")
            }
        }
        if let v = overrides.budget.maxCalls { config.budget.maxCalls = v }
        if let v = overrides.budget.maxTokens { config.budget.maxTokens = v }
        if let v = overrides.budget.deadline { config.budget.deadline = v }
        if let v = overrides.topN { config.topN = v }
        do {
            try config.checkFields()
        } catch let fault as ConfigurationFault {
            throw LLMRankError(.invalidInput, "\(fault.field): \(fault.message)")
        }
        return config
    }

    /// The pipeline for `overrides`: the running stages, with the judge swapped for another method's
    /// (same endpoint and store) or dropped for `encoder`, and the budget and `top_n` replaced.
    func pipeline(with overrides: RerankOverrides) throws -> Pipeline {
        let config = try configuration(with: overrides)
        var stages: [any RerankStage] = []
        for stage in pipeline.stages {
            switch stage {
            case var encoder as EncoderStage:
                if config.judge == nil { encoder.keep = nil }
                stages.append(encoder)
            case let judgeStage as JudgeStage:
                guard let settings = config.judge else { continue }
                if settings.method == configuration.judge?.method {
                    stages.append(judgeStage)
                    continue
                }
                let prompt = try settings.resolvePrompt()
                var chat: any ChatCompleting = judgeStage.judge.chat
                if let cached = chat as? CachedChat {
                    chat = CachedChat(upstream: cached.upstream, store: cached.store, methodVersion: prompt.methodVersion, mode: cached.mode,
                                      keepsRequestBodies: cached.keepsRequestBodies, logger: cached.logger)
                }
                let judge = Judge(prompt: prompt, chat: chat, options: settings.options(model: judgeStage.judge.options.model,
                                                                                        concurrency: config.endpoint.concurrency))
                stages.append(JudgeStage(judge: judge))
            case is FusionStage:
                guard let fusion = config.fusion, let judge = stages.last as? JudgeStage else { continue }
                stages.append(fusion.stage(encoder: "encoder", judge: judge.name))
            default:
                stages.append(stage)
            }
        }
        return Pipeline(stages: stages, budget: config.budget, topN: config.topN)
    }

    /// Reranks `documents` for `query` with `overrides` applied to this reranker's profile.
    public func rerank(query: Query, documents: [Document], overrides: RerankOverrides) async throws -> RerankResult {
        if overrides.isEmpty { return try await rerank(query: query, documents: documents) }
        return try await rerank(query: query, list: RankedList(documents: documents), pipeline: try pipeline(with: overrides))
    }
}
