extension JudgeMethod {
    /// One score on the prompt's scale per document.
    public static let pointwise = JudgeMethod("pointwise")
}

/// Pointwise: one call per document, asking for a score on the prompt's scale as JSON (the
/// prompt's schema as `response_format`, as far as the endpoint takes it); a reply that is not
/// JSON is read through the contract's text pattern. With `expectedScore`, the score is the
/// probability-weighted mean over the scale's tokens where the endpoint returns logprobs.
struct PointwiseStrategy: DocumentStrategy {
    static let defaultPrompt = "pointwise-1to5"

    let prompt: PromptTemplate
    let contract: PointwiseContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        var request = options.request(messages, defaultMaxTokens: 256)
        request.askJSON(contract.jsonSchema, promptName: prompt.name, json: features.json)
        if options.expectedScore, features.logprobs { request.askLogprobs(options.boundedTopLogprobs) }
        return request
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<Double>, ParseFailure> {
        if options.expectedScore, let expected = ExpectedScore.from(logprobs: response.logprobs, scale: contract.scale) {
            return .success(Reading(value: expected, flags: []))
        }
        return ScoreParser.parse(response.content, scale: contract.scale, jsonKey: contract.scoreField,
                                 pattern: contract.textPattern)
            .map { Reading(value: $0.value, flags: $0.flags) }
    }
}
