import Foundation

/// What a judge stage returns: the reordered list and the record of every call it made.
public struct JudgeOutcome: Sendable {
    public var list: RankedList
    public var trace: StageTrace
}

/// The LLM judge: given a query and a ranked list, it asks the model about the documents with one
/// prompt file's method and returns the list reordered. It never loses a document, never gives a
/// silent default score, and records every call.
///
/// - pointwise, aspects, yes/no: one call per document (at most `concurrency` at once). Scored
///   documents come first, best first (ties keep their incoming order); documents with no usable
///   judgment follow in their incoming order, flagged.
/// - listwise: RankGPT-style permutation prompts over windows that slide from the back of the list
///   to the front and cover every position.
///
/// An unusable reply gets one repair request (the reply sent back with the prompt's format
/// reminder); if that fails too, the fallback is explicit and flagged. Failures that retries could
/// not cure (429/5xx, timeouts, lost connections) flag the document `endpoint-failed` and the run
/// goes on; errors no retry can cure (a rejected key, an unknown model) end the run.
public struct Judge: Sendable {
    public let prompt: PromptTemplate
    public let chat: any ChatCompleting
    public var options: JudgeOptions
    let modes: ModeState

    public init(prompt: PromptTemplate, chat: any ChatCompleting, options: JudgeOptions) {
        self.prompt = prompt
        self.chat = chat
        self.options = options
        modes = ModeState(jsonMode: options.jsonMode)
    }

    /// The stage name used in stage scores, flags and traces.
    public var stageName: String { prompt.method.rawValue }

    public func rerank(query: Query, list: RankedList, budget: Budget? = nil) async throws -> JudgeOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var outcome: JudgeOutcome
        switch prompt.method {
        case .listwise:
            outcome = try await listwise(query: query, list: list, budget: budget)
        case .pointwise, .aspects, .yesno:
            outcome = try await perDocument(query: query, list: list, budget: budget)
        }
        outcome.trace.duration = clock.now - start
        return outcome
    }

    // MARK: - One call per document

    struct DocumentJudgment: Sendable {
        var score: Double?
        var flags: [Flag] = []
        var calls: [CallRecord] = []
    }

    private func perDocument(query: Query, list: RankedList, budget: Budget?) async throws -> JudgeOutcome {
        var judgments = [DocumentJudgment?](repeating: nil, count: list.count)
        let candidates = list.candidates
        let limit = max(1, options.concurrency)
        try await withThrowingTaskGroup(of: (Int, DocumentJudgment).self) { group in
            var next = 0
            func launch() {
                let i = next
                next += 1
                group.addTask { (i, try await judgeDocument(query: query, text: candidates[i].text, budget: budget)) }
            }
            while next < min(limit, candidates.count) { launch() }
            while let (i, judgment) = try await group.next() {
                judgments[i] = judgment
                if next < candidates.count { launch() }
            }
        }

        var scored: [Candidate] = []
        var unscored: [Candidate] = []
        var calls: [CallRecord] = []
        for (i, var candidate) in candidates.enumerated() {
            let judgment = judgments[i] ?? DocumentJudgment(score: nil, flags: [Flag(.fallback, stage: stageName, "not judged")])
            calls += judgment.calls
            candidate.flags += judgment.flags
            candidate.stageScores.append(StageScore(stage: stageName, score: judgment.score))
            if let score = judgment.score {
                candidate.score = score
                scored.append(candidate)
            } else {
                unscored.append(candidate)
            }
        }
        // A stable sort: equal scores keep the incoming order.
        let ordered = scored.enumerated()
            .sorted { a, b in a.element.score! != b.element.score! ? a.element.score! > b.element.score! : a.offset < b.offset }
            .map(\.element)
        return JudgeOutcome(list: RankedList(candidates: ordered + unscored),
                            trace: StageTrace(stage: stageName, calls: calls))
    }

    func judgeDocument(query: Query, text: String, budget: Budget?) async throws -> DocumentJudgment {
        let messages = prompt.render(query: query.text, document: text)
        var judgment = DocumentJudgment()
        guard let first = try await call(messages, budget: budget, into: &judgment) else { return judgment }
        switch parse(first.response) {
        case .success(let parsed):
            judgment.score = parsed.value
            judgment.flags += parsed.flags.map { $0.in(stageName) }
            return judgment
        case .failure(let failure):
            let repair = messages + [.assistant(first.response.content), prompt.renderRepair(query: query.text)]
            guard let second = try await call(repair, budget: budget, into: &judgment) else { return judgment }
            judgment.calls[judgment.calls.count - 1].repairs = 1
            switch parse(second.response) {
            case .success(let parsed):
                judgment.score = parsed.value
                judgment.flags.append(Flag(.repairRetry, stage: stageName, failure.reason))
                judgment.flags += parsed.flags.map { $0.in(stageName) }
            case .failure(let again):
                judgment.calls[judgment.calls.count - 1].fallback = true
                judgment.flags.append(Flag(.fallback, stage: stageName, "no score after a repair: \(again.reason)"))
            }
            return judgment
        }
    }

    /// A score from a reply, by the prompt's method.
    func parse(_ response: ChatResponse) -> Result<(value: Double, flags: [Flag]), ParseFailure> {
        switch prompt.output {
        case .pointwise(let contract):
            let scale = contract.scale
            if options.expectedScore, let expected = ExpectedScore.from(logprobs: response.logprobs, scale: scale) {
                return .success((expected, []))
            }
            return ScoreParser.parse(response.content, scale: scale, jsonKey: contract.scoreField,
                                     pattern: contract.textPattern.isEmpty ? nil : contract.textPattern)
                .map { ($0.value, $0.flags) }
        case .aspects(let contract):
            return AspectParser.parse(response.content, aspects: contract.rubric.map(\.spec))
                .map { ($0.total, $0.flags) }
        case .yesno(let contract):
            return YesNoScorer.score(logprobs: response.logprobs, content: response.content, yes: contract.yes,
                                     no: contract.no, pattern: contract.textPattern.isEmpty ? nil : contract.textPattern)
                .map { ($0.value, $0.flags) }
        case .listwise:
            return .failure(ParseFailure(reason: "a listwise prompt gives no per-document score", excerpt: ""))
        }
    }

    // MARK: - Listwise

    /// The windows of one pass, in the order they are judged: from the back of the list to the
    /// front, each `window` long (shorter only when the list is), moving by `step`, the last one
    /// starting at 0. Every position is in at least one window, also when the list is shorter than
    /// a window or its length is not a multiple of the step.
    public static func windows(count: Int, window: Int, step: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let window = max(1, window), step = max(1, min(step, window))
        var result: [Range<Int>] = []
        var end = count
        while true {
            let start = max(0, end - window)
            result.append(start..<end)
            if start == 0 { return result }
            end -= step
        }
    }

    private func listwise(query: Query, list: RankedList, budget: Budget?) async throws -> JudgeOutcome {
        var order = list.candidates
        var flags: [String: [Flag]] = [:]
        var calls: [CallRecord] = []
        func flag(_ id: String, _ f: Flag) {
            if flags[id]?.contains(f) != true { flags[id, default: []].append(f) }
        }
        for range in Self.windows(count: order.count, window: options.window, step: options.step) {
            let slice = Array(order[range])
            var passages: [String] = []
            for candidate in slice {
                let (text, cut) = Self.truncate(candidate.text, maxWords: options.maxWords)
                if cut { flag(candidate.id, Flag(.truncated, stage: stageName, "cut to \(options.maxWords) words")) }
                passages.append(text)
            }
            let messages = prompt.render(query: query.text, passages: passages)
            var judgment = DocumentJudgment()
            var permutation: ParsedPermutation?
            var windowFlags: [Flag] = []
            if let first = try await call(messages, budget: budget, into: &judgment, passages: slice.count) {
                switch PermutationParser.parse(first.response.content, count: slice.count, pattern: listPattern) {
                case .success(let p):
                    permutation = p
                case .failure(let failure):
                    let repair = messages + [.assistant(first.response.content),
                                             prompt.renderRepair(query: query.text, passageCount: slice.count)]
                    if let second = try await call(repair, budget: budget, into: &judgment, passages: slice.count) {
                        judgment.calls[judgment.calls.count - 1].repairs = 1
                        switch PermutationParser.parse(second.response.content, count: slice.count, pattern: listPattern) {
                        case .success(let p):
                            permutation = p
                            windowFlags.append(Flag(.repairRetry, stage: stageName, failure.reason))
                        case .failure(let again):
                            judgment.calls[judgment.calls.count - 1].fallback = true
                            windowFlags.append(Flag(.fallback, stage: stageName,
                                                    "window \(range.lowerBound + 1)-\(range.upperBound) kept its order: \(again.reason)"))
                        }
                    }
                }
            }
            calls += judgment.calls
            windowFlags += judgment.flags
            if let permutation {
                windowFlags += permutation.flags.map { $0.in(stageName) }
                order.replaceSubrange(range, with: permutation.order.map { slice[$0] })
            }
            for candidate in slice { for f in windowFlags { flag(candidate.id, f) } }
        }
        let n = order.count
        for i in order.indices {
            // Listwise gives ranks, not scores: the stage score is n - position (higher is better).
            let score = Double(n - i)
            order[i].score = score
            order[i].stageScores.append(StageScore(stage: stageName, score: score))
            order[i].flags += flags[order[i].id] ?? []
        }
        return JudgeOutcome(list: RankedList(candidates: order), trace: StageTrace(stage: stageName, calls: calls))
    }

    private var listPattern: String? {
        if case .listwise(let contract) = prompt.output, !contract.textPattern.isEmpty { return contract.textPattern }
        return nil
    }

    /// The first `maxWords` words of `text`, and whether it was cut.
    static func truncate(_ text: String, maxWords: Int) -> (String, Bool) {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        guard maxWords > 0, words.count > maxWords else { return (text, false) }
        return (words.prefix(maxWords).joined(separator: " "), true)
    }

    // MARK: - Calls

    /// Makes one call within the budget, adapting the request to what the endpoint accepts.
    /// Returns nil (and flags the judgment) when the budget is spent or the endpoint failed after
    /// retries; throws only for errors that would fail every call (key, model, bad request).
    private func call(_ messages: [ChatMessage], budget: Budget?, into judgment: inout DocumentJudgment,
                      passages: Int = 0) async throws -> ChatResult?
    {
        if let budget, let reason = await budget.reserve() {
            judgment.flags.append(Flag(.budgetExhausted, stage: stageName, reason))
            return nil
        }
        do {
            let result = try await adaptiveCall(messages, passages: passages)
            await budget?.settle(result.record)
            judgment.calls.append(result.record)
            return result
        } catch let error as LLMRankError where Self.isDocumentLevel(error) {
            await budget?.release()
            var record = CallRecord()
            record.status = error.status
            record.fallback = true
            judgment.calls.append(record)
            judgment.flags.append(Flag(.endpointFailed, stage: stageName, error.shortDescription))
            return nil
        } catch {
            await budget?.release()
            throw error
        }
    }

    /// Errors that concern this call only (retries exhausted, a reply that would not decode, a
    /// request the endpoint refused for its content, such as an over-long document); the others
    /// (a rejected key, an unknown model or path, cancellation) would fail every call.
    static func isDocumentLevel(_ error: LLMRankError) -> Bool {
        switch error.kind {
        case .transport, .timeout, .badReply: return true
        case .http:
            guard let status = error.status else { return true }
            return ChatClient.isRetryable(status: status) || status == 400 || status == 413 || status == 422
        default: return false
        }
    }

    private func adaptiveCall(_ messages: [ChatMessage], passages: Int) async throws -> ChatResult {
        while true {
            let mode = await modes.current
            let request = makeRequest(messages, json: mode.json, logprobs: mode.logprobs, passages: passages)
            do {
                return try await chat.complete(request)
            } catch let error as LLMRankError where error.status == 400 || error.status == 422 {
                // An endpoint that rejects a feature: drop it and ask again (json_schema, then
                // json_object, then logprobs), remembering the choice for the rest of the run.
                guard await modes.downgrade(after: request, error: error.message) else { throw error }
            }
        }
    }

    func makeRequest(_ messages: [ChatMessage], json: JSONMode, logprobs: Bool, passages: Int) -> ChatRequest {
        var request = ChatRequest(model: options.model, messages: messages, temperature: options.temperature,
                                  seed: options.seed)
        switch prompt.method {
        case .yesno:
            request.maxTokens = options.maxTokens ?? 1
            request.temperature = 0
            if logprobs {
                request.logprobs = true
                request.topLogprobs = min(20, max(1, options.topLogprobs))
            }
        case .pointwise, .aspects:
            request.maxTokens = options.maxTokens ?? 256
            if let schema = prompt.jsonSchema {
                switch json {
                case .auto, .schema: request.responseFormat = .jsonSchema(name: Self.schemaName(prompt.name), schema: schema)
                case .object: request.responseFormat = .jsonObject
                case .off: break
                }
            }
            if prompt.method == .pointwise, options.expectedScore, logprobs {
                request.logprobs = true
                request.topLogprobs = min(20, max(1, options.topLogprobs))
            }
        case .listwise:
            request.maxTokens = options.maxTokens ?? (8 * passages + 64)
        }
        return request
    }

    /// OpenAI's schema names allow letters, digits, '_' and '-' only.
    static func schemaName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}

/// The request features this run still uses, narrowed when the endpoint rejects one.
actor ModeState {
    struct Current: Sendable {
        var json: JSONMode
        var logprobs: Bool
    }

    private(set) var current: Current
    private let fixed: Bool

    init(jsonMode: JSONMode) {
        current = Current(json: jsonMode, logprobs: true)
        fixed = jsonMode != .auto
    }

    /// Narrows the features after `request` was rejected with `message`; false when the message
    /// names no feature this request used (the error is then about something else).
    func downgrade(after request: ChatRequest, error message: String) -> Bool {
        let text = message.lowercased()
        let aboutFormat = ["response_format", "json", "schema", "grammar"].contains { text.contains($0) }
        let aboutLogprobs = text.contains("logprob")
        switch request.responseFormat {
        case .jsonSchema where !fixed && aboutFormat:
            if current.json == .auto || current.json == .schema { current.json = .object }
            return true
        case .jsonObject where !fixed && aboutFormat:
            if current.json == .object || current.json == .auto { current.json = .off }
            return true
        default:
            if request.logprobs, aboutLogprobs {
                current.logprobs = false
                return true
            }
            return false
        }
    }
}

extension Flag {
    /// The flag with its stage set, unless it has one.
    func `in`(_ stage: String) -> Flag {
        var f = self
        if f.stage == nil { f.stage = stage }
        return f
    }
}
