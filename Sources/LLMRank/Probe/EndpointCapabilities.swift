/// What an endpoint offers, as `llmrank doctor` finds it. The judge uses the same facts to choose
/// JSON-schema mode over JSON-object mode over plain text, and logprobs over generated tokens.
public struct EndpointCapabilities: Sendable, Hashable, Codable {
    /// `response_format: json_object` is honoured (the reply is a JSON object).
    public var jsonObject: Bool
    /// `response_format: json_schema` is honoured (the reply follows the schema).
    public var jsonSchema: Bool
    /// Token logprobs come back when asked for.
    public var logprobs: Bool
    /// Alternatives returned per token when logprobs are asked for with `top_logprobs: 5`.
    public var topLogprobs: Int

    /// Capabilities as given; by default none.
    public init(jsonObject: Bool = false, jsonSchema: Bool = false, logprobs: Bool = false, topLogprobs: Int = 0) {
        self.jsonObject = jsonObject
        self.jsonSchema = jsonSchema
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    /// What an OpenAI-compatible endpoint is assumed to offer when nobody probed it.
    public static let assumed = EndpointCapabilities(jsonObject: true, jsonSchema: true, logprobs: true, topLogprobs: 5)
}
