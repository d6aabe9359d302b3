import Foundation

/// One message of a chat conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who speaks: the instructions, the user, or the model.
    public enum Role: String, Sendable, Hashable, Codable {
        /// Instructions that frame the conversation.
        case system
        /// What the user asks.
        case user
        /// What the model answered (sent back in a repair request).
        case assistant
    }

    /// Who speaks.
    public var role: Role
    /// The text of the message.
    public var content: String

    /// A message from `role` with `content`.
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    /// An assistant message.
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

/// The structured-output mode of a request (`response_format`).
public enum ResponseFormat: Sendable, Hashable {
    /// Plain text (the field is left out of the request).
    case text
    /// `{"type": "json_object"}`: any JSON object.
    case jsonObject
    /// `{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}`.
    case jsonSchema(name: String, schema: JSONValue, strict: Bool = true)
}

/// A chat completion request, in the fields every OpenAI-compatible server understands.
/// Encodes to the exact JSON body sent; with sorted keys that body is also the cache key's input.
public struct ChatRequest: Sendable, Hashable {
    /// The model to ask.
    public var model: String
    /// The conversation, in order.
    public var messages: [ChatMessage]
    /// Sampling temperature; nil leaves the endpoint's default.
    public var temperature: Double?
    /// Nucleus sampling (`top_p`); nil leaves the endpoint's default.
    public var topP: Double?
    /// The most tokens to generate (`max_tokens`).
    public var maxTokens: Int?
    /// A seed for endpoints that sample reproducibly.
    public var seed: Int?
    /// Sequences that end generation.
    public var stop: [String]?
    /// Plain text, JSON object or JSON schema mode.
    public var responseFormat: ResponseFormat
    /// Ask for the log probability of each generated token.
    public var logprobs: Bool
    /// How many alternatives per token (0-20 on OpenAI), with `logprobs`.
    public var topLogprobs: Int?
    /// Token id -> bias in [-100, 100].
    public var logitBias: [Int: Double]?

    /// A request for `model` with `messages`; every other field is optional.
    public init(model: String, messages: [ChatMessage], temperature: Double? = nil, topP: Double? = nil,
                maxTokens: Int? = nil, seed: Int? = nil, stop: [String]? = nil,
                responseFormat: ResponseFormat = .text, logprobs: Bool = false, topLogprobs: Int? = nil,
                logitBias: [Int: Double]? = nil)
    {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
        self.stop = stop
        self.responseFormat = responseFormat
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
        self.logitBias = logitBias
    }
}

extension ChatRequest: Encodable {
    private enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed, stop, logprobs
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case responseFormat = "response_format"
        case topLogprobs = "top_logprobs"
        case logitBias = "logit_bias"
    }

    /// Writes the OpenAI request body: absent fields are left out, `logprobs` fields only when
    /// asked for, token ids of `logit_bias` as strings.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(messages, forKey: .messages)
        try c.encodeIfPresent(temperature, forKey: .temperature)
        try c.encodeIfPresent(topP, forKey: .topP)
        try c.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try c.encodeIfPresent(seed, forKey: .seed)
        try c.encodeIfPresent(stop, forKey: .stop)
        switch responseFormat {
        case .text: break
        case .jsonObject:
            try c.encode(["type": "json_object"] as JSONValue, forKey: .responseFormat)
        case .jsonSchema(let name, let schema, let strict):
            let format: JSONValue = [
                "type": "json_schema",
                "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)],
            ]
            try c.encode(format, forKey: .responseFormat)
        }
        if logprobs {
            try c.encode(true, forKey: .logprobs)
            try c.encodeIfPresent(topLogprobs, forKey: .topLogprobs)
        }
        if let logitBias, !logitBias.isEmpty {
            let bias = Dictionary(uniqueKeysWithValues: logitBias.map { (String($0.key), $0.value) })
            try c.encode(bias, forKey: .logitBias)
        }
    }

    /// The request body as sent: JSON with sorted keys, so equal requests give equal bytes.
    public func jsonBody() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// One alternative for a generated token.
public struct TopLogprob: Sendable, Hashable, Codable {
    /// The token's text.
    public var token: String
    /// Its natural-log probability (0 or less).
    public var logprob: Double

    /// An alternative `token` with `logprob`.
    public init(token: String, logprob: Double) {
        self.token = token
        self.logprob = logprob
    }
}

/// A generated token with its log probability and the top alternatives the endpoint returned.
public struct TokenLogprob: Sendable, Hashable, Codable {
    /// The generated token's text.
    public var token: String
    /// Its natural-log probability (0 or less).
    public var logprob: Double
    /// The most likely alternatives at this position, as the endpoint returned them.
    public var topLogprobs: [TopLogprob]

    /// A generated `token` with `logprob` and its alternatives.
    public init(token: String, logprob: Double, topLogprobs: [TopLogprob] = []) {
        self.token = token
        self.logprob = logprob
        self.topLogprobs = topLogprobs
    }
}

/// The part of a chat completion reply llmrank uses: the first choice's text, why it stopped,
/// per-token logprobs when asked for and returned, and usage when reported.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// The reply's text (a refusal's text when the model refused; empty when there was none).
    public var content: String
    /// Why generation stopped (`stop`, `length`, ...), where reported.
    public var finishReason: String?
    /// Nil when the endpoint returned no logprobs.
    public var logprobs: [TokenLogprob]?
    /// Nil when the endpoint sent no usage block.
    public var usage: Usage?
    /// The model that answered, as the endpoint names it.
    public var model: String?

    /// A reply with `content` and what else the endpoint reported.
    public init(content: String, finishReason: String? = nil, logprobs: [TokenLogprob]? = nil,
                usage: Usage? = nil, model: String? = nil)
    {
        self.content = content
        self.finishReason = finishReason
        self.logprobs = logprobs
        self.usage = usage
        self.model = model
    }
}

/// A reply with the record of how it was obtained.
public struct ChatResult: Sendable, Hashable {
    /// The reply.
    public var response: ChatResponse
    /// How it was obtained: attempts, latency, usage, status, cache hit.
    public var record: CallRecord

    /// A reply and its record.
    public init(response: ChatResponse, record: CallRecord) {
        self.response = response
        self.record = record
    }
}

/// The seam between the judge and the network: the libcurl `ChatClient` implements it, and so do
/// the layers above it that wrap a client (a judgment store that answers repeated requests, an
/// endpoint that starts a local server first).
public protocol ChatCompleting: Sendable {
    /// A stable name of the endpoint for cache keys: scheme-less host and path, never credentials.
    var endpointIdentity: String { get }
    /// Sends `request` and returns the reply with the record of how it was obtained. Throws
    /// `LLMRankError` when no usable reply came, or `CancellationError`.
    func complete(_ request: ChatRequest) async throws -> ChatResult
}
