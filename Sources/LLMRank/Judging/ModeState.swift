/// The request features a judge may still ask for: structured output and logprobs.
struct RequestFeatures: Sendable, Hashable {
    /// How structured output is asked for.
    var json: JSONMode
    /// Whether logprobs may be asked for.
    var logprobs: Bool
}

/// The request features this run still uses, narrowed when the endpoint rejects one.
actor ModeState {
    /// What the next request may ask for.
    private(set) var current: RequestFeatures
    private let fixed: Bool

    /// All features, structured output as `jsonMode` says; only `.auto` narrows after a rejection.
    init(jsonMode: JSONMode) {
        current = RequestFeatures(json: jsonMode, logprobs: true)
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

    /// Stops asking for logprobs for the rest of the run: the endpoint accepted them but returned
    /// none.
    func dropLogprobs() {
        current.logprobs = false
    }
}
