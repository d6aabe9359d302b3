extension JudgeMethod {
    /// A one-token yes/no answer per document, scored by its logprobs.
    public static let yesno = JudgeMethod("yesno")
}

/// Yes/no: one call per document for one token at temperature 0, with logprobs where the endpoint
/// returns them; the score is the probability of the yes label. Without logprobs the generated
/// answer decides (flagged `no-logprobs`).
struct YesNoStrategy: DocumentStrategy {
    static let defaultPrompt = "yesno"

    let prompt: PromptTemplate
    let contract: YesNoContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        var request = options.request(messages, defaultMaxTokens: 1)
        request.temperature = 0
        if features.logprobs { request.askLogprobs(options.boundedTopLogprobs) }
        return request
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<Double>, ParseFailure> {
        YesNoScorer.score(logprobs: response.logprobs, content: response.content, yes: contract.yes,
                          no: contract.no, pattern: contract.textPattern)
            .map { Reading(value: $0.value, flags: $0.flags) }
    }
}
