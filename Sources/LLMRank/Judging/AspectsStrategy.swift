extension JudgeMethod {
    /// Several aspect scores per document in one call, weighted into one score.
    public static let aspects = JudgeMethod("aspects")
}

/// Aspects: one call per document, asking for every aspect of the prompt's rubric in one JSON
/// object; the document's score is the weighted total of the (clamped) aspect scores. A missing
/// aspect is flagged.
struct AspectsStrategy: DocumentStrategy {
    static let defaultPrompt = "aspects"

    let prompt: PromptTemplate
    let contract: AspectsContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        var request = options.request(messages, defaultMaxTokens: 256)
        request.askJSON(contract.jsonSchema, promptName: prompt.name, json: features.json)
        return request
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<Double>, ParseFailure> {
        AspectParser.parse(response.content, aspects: contract.rubric.map(\.spec))
            .map { Reading(value: $0.total, flags: $0.flags) }
    }
}
