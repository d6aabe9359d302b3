import Foundation

/// Which OpenAI-compatible endpoint judges, and how the client treats it. Every field has a default;
/// a profile's `endpoint:` mapping sets any of them.
///
/// The endpoint is chosen in this order: `baseURL` when set (`"local"` names the embedded
/// llama-server); else the environment's `OPENAI_BASE_URL`; else, when the key variable is unset
/// too, the embedded server; else OpenAI.
public struct EndpointSettings: Sendable, Hashable, Codable {
    /// The API root (`https://api.openai.com/v1`, `http://127.0.0.1:8000/v1`), `"local"` for the
    /// embedded llama-server, or nil to choose from the environment.
    public var baseURL: String?
    /// The environment variable that holds the API key; the key itself is never stored here.
    public var apiKeyVariable: String
    /// The model name sent with each request; nil: `LLMRANK_MODEL`, else `gpt-4o-mini` (OpenAI) or
    /// the embedded model.
    public var model: String?
    /// Requests in flight at most, and documents judged at once (1...256).
    public var concurrency: Int
    /// Attempts per request, the first included (1...20).
    public var maxAttempts: Int
    /// Seconds allowed for one attempt.
    public var timeout: Double
    /// Client-side limit in requests per minute; nil: none.
    public var requestsPerMinute: Double?
    /// Client-side limit in tokens per minute; nil: none.
    public var tokensPerMinute: Double?
    /// Requests per minute for every process sharing the PostgreSQL store together (`max_rpm`,
    /// `--max-rpm`; see `PostgresEndpointGate`); nil: none. Needs a PostgreSQL store.
    public var sharedRequestsPerMinute: Double?

    /// The value of `baseURL` that names the embedded llama-server.
    public static let local = "local"
    /// The model named when the endpoint is not the embedded one and nothing else names one.
    public static let defaultRemoteModel = "gpt-4o-mini"
    /// The most requests in flight a configuration may ask for.
    public static let maxConcurrency = 256

    /// An endpoint configuration; every argument has the documented default.
    public init(baseURL: String? = nil, apiKeyVariable: String = "OPENAI_API_KEY", model: String? = nil,
                concurrency: Int = 8, maxAttempts: Int = 6, timeout: Double = 30,
                requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil)
    {
        self.baseURL = baseURL
        self.apiKeyVariable = apiKeyVariable
        self.model = model
        self.concurrency = concurrency
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// Whether these settings, in `environment`, select the embedded llama-server.
    public func usesLocalServer(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let baseURL { return baseURL == Self.local }
        let envBase = environment["OPENAI_BASE_URL"] ?? ""
        let envKey = environment[apiKeyVariable] ?? ""
        return envBase.isEmpty && envKey.isEmpty
    }

    /// The client configuration for a remote endpoint: URL and key from these settings and the
    /// environment, with these limits.
    public func clientConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ChatClientConfiguration
    {
        applyLimits(to: ChatClientConfiguration.fromEnvironment(baseURL: baseURL, apiKeyVariable: apiKeyVariable,
                                                               environment: environment))
    }

    /// `base` with these settings' concurrency, attempts, timeout and rate limits.
    public func applyLimits(to base: ChatClientConfiguration) -> ChatClientConfiguration {
        var config = base
        config.maxConcurrency = concurrency
        config.maxAttempts = maxAttempts
        config.requestTimeout = .milliseconds(Int((timeout * 1000).rounded()))
        config.requestsPerMinute = requestsPerMinute
        config.tokensPerMinute = tokensPerMinute
        return config
    }

    /// The model to name for a remote endpoint when `model` is nil.
    public func remoteModel(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        model ?? environment["LLMRANK_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultRemoteModel
    }

    func validate(_ path: [String]) throws {
        if let baseURL, baseURL != Self.local {
            guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  url.host?.isEmpty == false
            else {
                throw ConfigurationFault(path: path + ["base_url"],
                                         message: "'\(Self.redactingPassword(baseURL))' is not an http(s) URL or 'local'")
            }
        }
        if apiKeyVariable.isEmpty { throw ConfigurationFault(path: path + ["api_key_env"], message: "must name a variable") }
        if let model, model.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigurationFault(path: path + ["model"], message: "must not be empty")
        }
        try ConfigurationCheck.inRange(concurrency, 1...Self.maxConcurrency, path + ["concurrency"])
        try ConfigurationCheck.inRange(maxAttempts, 1...20, path + ["max_attempts"])
        try ConfigurationCheck.finite(timeout, 0.001...86_400, path + ["timeout"])
        try ConfigurationCheck.positiveFinite(requestsPerMinute, path + ["rpm"])
        try ConfigurationCheck.positiveFinite(tokensPerMinute, path + ["tpm"])
        try ConfigurationCheck.positiveFinite(sharedRequestsPerMinute, path + ["max_rpm"])
    }

    /// `url` with any password in its user part replaced by `***`, for logs, errors and `-v`.
    public static func redactingPassword(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    static let keys = ["base_url", "api_key_env", "model", "concurrency", "max_attempts", "timeout", "rpm", "tpm", "max_rpm"]

    /// Reads the `endpoint:` mapping; absent fields keep their defaults, unknown ones are errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        let d = EndpointSettings()
        self.init(baseURL: try c.optional(String.self, "base_url"),
                  apiKeyVariable: try c.optional(String.self, "api_key_env") ?? d.apiKeyVariable,
                  model: try c.optional(String.self, "model"),
                  concurrency: try c.optional(Int.self, "concurrency") ?? d.concurrency,
                  maxAttempts: try c.optional(Int.self, "max_attempts") ?? d.maxAttempts,
                  timeout: try c.optional(Double.self, "timeout") ?? d.timeout,
                  requestsPerMinute: try c.optional(Double.self, "rpm"),
                  tokensPerMinute: try c.optional(Double.self, "tpm"))
        sharedRequestsPerMinute = try c.optional(Double.self, "max_rpm")
    }

    /// Writes the mapping a profile would hold (unset optionals left out; a base URL without its password).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(baseURL.map(Self.redactingPassword), "base_url")
        try c.put(apiKeyVariable, "api_key_env")
        try c.put(model, "model")
        try c.put(concurrency, "concurrency")
        try c.put(maxAttempts, "max_attempts")
        try c.put(timeout, "timeout")
        try c.put(requestsPerMinute, "rpm")
        try c.put(tokensPerMinute, "tpm")
        try c.put(sharedRequestsPerMinute, "max_rpm")
    }
}
