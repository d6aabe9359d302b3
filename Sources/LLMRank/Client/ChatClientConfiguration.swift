import Foundation

/// How a `ChatClient` reaches its endpoint and how hard it tries. Every field has a default.
public struct ChatClientConfiguration: Sendable, CustomStringConvertible {
    /// The API root, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
    public var baseURL: String
    /// The bearer token, if the endpoint needs one. Never logged, printed or stored.
    public var apiKey: String?
    /// Which environment variable the key came from, named in errors about it.
    public var apiKeyVariable: String
    /// Requests in flight at most (also the number of transfer threads).
    public var maxConcurrency: Int
    /// Attempts per request, the first included.
    public var maxAttempts: Int
    /// Time for one attempt, from connect to last byte.
    public var requestTimeout: Duration
    /// Attempts that may end in a timeout, within `maxAttempts`: an endpoint that has let a request
    /// run out its time this often is hung or overloaded, and more attempts only multiply the wait
    /// (2 by default: one retry after a timeout, so a hung endpoint costs at most about twice
    /// `requestTimeout` a request).
    public var maxTimeoutAttempts: Int = 2
    /// Time to establish the connection, within `requestTimeout`.
    public var connectTimeout: Duration
    /// Full-jitter exponential backoff: wait uniformly in [0, min(cap, base * 2^(attempt-1))].
    public var backoffBase: Duration
    /// The longest backoff wait.
    public var backoffCap: Duration
    /// A server's Retry-After longer than this ends the request instead of waiting.
    public var maxRetryAfter: Duration
    /// Client-side limit of requests per minute; nil means none.
    public var requestsPerMinute: Double?
    /// Client-side limit of tokens (prompt + completion, estimated then settled) per minute; nil
    /// means none.
    public var tokensPerMinute: Double?
    /// Extra headers sent with every request (e.g. an organization id).
    public var extraHeaders: [String: String]
    /// The name of the endpoint in cache keys; nil derives it from the base URL (host and path).
    /// Set it where the URL changes between runs but the model behind it does not, such as a
    /// local server on a random port.
    public var endpointIdentity: String?

    /// OpenAI's API root, the default base URL.
    public static let openAIBaseURL = "https://api.openai.com/v1"

    /// A configuration with every field given or defaulted (OpenAI, no key, 8 in flight, 6 attempts).
    public init(baseURL: String = ChatClientConfiguration.openAIBaseURL, apiKey: String? = nil,
                apiKeyVariable: String = "OPENAI_API_KEY", maxConcurrency: Int = 8, maxAttempts: Int = 6,
                requestTimeout: Duration = .seconds(120), connectTimeout: Duration = .seconds(10),
                backoffBase: Duration = .milliseconds(500), backoffCap: Duration = .seconds(30),
                maxRetryAfter: Duration = .seconds(120), requestsPerMinute: Double? = nil,
                tokensPerMinute: Double? = nil, extraHeaders: [String: String] = [:])
    {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.apiKeyVariable = apiKeyVariable
        self.maxConcurrency = maxConcurrency
        self.maxAttempts = maxAttempts
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.maxRetryAfter = maxRetryAfter
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.extraHeaders = extraHeaders
        self.endpointIdentity = nil
    }

    /// Reads the base URL and key the way the CLI documents: an explicit base URL, else
    /// `OPENAI_BASE_URL`, else OpenAI's; the key from `OPENAI_API_KEY` or the variable named.
    public static func fromEnvironment(baseURL: String? = nil, apiKeyVariable: String = "OPENAI_API_KEY",
                                       environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ChatClientConfiguration
    {
        var config = ChatClientConfiguration()
        config.baseURL = baseURL ?? environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? openAIBaseURL
        config.apiKeyVariable = apiKeyVariable
        config.apiKey = environment[apiKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
        return config
    }

    /// Shows everything but the key, which appears only as set or not set.
    public var description: String {
        "ChatClientConfiguration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "[redacted]"), "
            + "maxConcurrency: \(maxConcurrency), maxAttempts: \(maxAttempts), requestTimeout: \(requestTimeout))"
    }
}
