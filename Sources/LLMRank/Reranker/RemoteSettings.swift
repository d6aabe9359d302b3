import Foundation

/// The remote rerank stage of a profile (`remote:`): a hosted or self-run rerank API that scores
/// the documents before the encoder and the judge, or alone.
///
/// ```yaml
/// remote:
///   url: https://api.cohere.com/v2/rerank
///   api: cohere
///   model: rerank-v3.5
///   key_env: COHERE_API_KEY
///   keep: 20
/// ```
public struct RemoteSettings: Sendable, Hashable, Codable {
    /// The full URL of the rerank endpoint.
    public var url: String
    /// The API's shape: cohere, jina, tei or vllm.
    public var api: RemoteAPI
    /// The `model` field sent; nil sends none.
    public var model: String?
    /// The environment variable holding the key (sent as `Authorization: Bearer`); nil sends none.
    /// The key itself never appears in a profile, a log or an error.
    public var keyEnv: String?
    /// Candidates that go on to the next stage; nil keeps them all.
    public var keep: Int?
    /// Attempts per call, the first included (the client's retries on 429, 5xx and timeouts).
    public var maxAttempts: Int
    /// Seconds for one attempt.
    public var timeout: Double

    /// A remote stage; every argument but the URL has the documented default.
    public init(url: String, api: RemoteAPI = .cohere, model: String? = nil, keyEnv: String? = nil, keep: Int? = nil,
                maxAttempts: Int = 4, timeout: Double = 60)
    {
        self.url = url
        self.api = api
        self.model = model
        self.keyEnv = keyEnv
        self.keep = keep
        self.maxAttempts = maxAttempts
        self.timeout = timeout
    }

    func validate(_ path: [String]) throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw ConfigurationFault(path: path + ["url"], message: "must be an http or https URL, got '\(url)'")
        }
        if let keyEnv, keyEnv.isEmpty { throw ConfigurationFault(path: path + ["key_env"], message: "must name an environment variable") }
        try ConfigurationCheck.atLeast(keep, 1, path + ["keep"])
        try ConfigurationCheck.inRange(maxAttempts, 1...20, path + ["max_attempts"])
        try ConfigurationCheck.positiveFinite(timeout, path + ["timeout"])
    }

    /// The client configuration for this stage: the key read from `key_env` (an error naming the
    /// variable, never its value, when it is unset or empty).
    public func clientConfiguration(environment: [String: String]) throws -> ChatClientConfiguration {
        var config = ChatClientConfiguration(baseURL: url, apiKeyVariable: keyEnv ?? "none", maxAttempts: maxAttempts,
                                             requestTimeout: .milliseconds(Int(timeout * 1000)))
        config.connectTimeout = min(config.connectTimeout, config.requestTimeout)
        if let keyEnv {
            guard let key = environment[keyEnv], !key.isEmpty else {
                throw LLMRankError(.setup, "remote.key_env: the environment variable \(keyEnv) is not set (it holds the key for \(url))")
            }
            config.apiKey = key
        }
        return config
    }

    static let keys = ["url", "api", "model", "key_env", "keep", "max_attempts", "timeout"]

    /// Reads the `remote:` mapping; `url` is required, unknown fields are errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        guard let url = try c.optional(String.self, "url") else {
            throw DecodingError.keyNotFound(AnyCodingKey("url"), .init(codingPath: c.codingPath, debugDescription: "remote needs a url"))
        }
        self.init(url: url, api: try c.name(RemoteAPI.self, "api") ?? .cohere, model: try c.optional(String.self, "model"),
                  keyEnv: try c.optional(String.self, "key_env"), keep: try c.optional(Int.self, "keep"),
                  maxAttempts: try c.optional(Int.self, "max_attempts") ?? 4, timeout: try c.optional(Double.self, "timeout") ?? 60)
    }

    /// Writes the mapping a profile would hold.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(url, "url")
        try c.put(api.rawValue, "api")
        try c.put(model, "model")
        try c.put(keyEnv, "key_env")
        try c.put(keep, "keep")
        try c.put(maxAttempts, "max_attempts")
        try c.put(timeout, "timeout")
    }
}
