import Foundation
import Logging

/// An OpenAI-compatible chat client over libcurl: `POST {base}/chat/completions`.
///
/// - Concurrency: at most `maxConcurrency` requests in flight, each on a transfer thread that keeps
///   its connection open between requests. Task cancellation aborts the transfer.
/// - Retries: 408, 409, 429, 5xx, connection failures and timeouts (at most `maxTimeoutAttempts`
///   attempts may time out), with full-jitter exponential backoff; a server's `retry-after-ms` or `Retry-After` (seconds or HTTP date) is honoured.
///   Other 4xx statuses end the request at once with one clear line.
/// - Lifetime: `init` starts nothing; the transfer threads start with the first request.
///   `shutdown()` aborts what is in flight and stops the threads; `withClient` scopes a client
///   and always shuts it down. A client dropped without `shutdown()` stops its threads when it is
///   deallocated, as a backstop.
/// - The API key goes into the Authorization header and nowhere else: not logs, errors or records.
public final class ChatClient: ChatCompleting {
    /// How the client reaches its endpoint and how hard it tries.
    public let configuration: ChatClientConfiguration
    private let pool: CurlWorkerPool
    private let limiter: RateLimiter<ContinuousClock>?
    private let logger: Logger
    private let completionsURL: String
    /// Shared politeness with other processes (holds after a 429, a shared rate), if any.
    public let gate: (any EndpointGate)?

    /// A client for `configuration`, logging to `logger`, asking `gate` (if any) before each
    /// attempt. Starts no thread: the first request does.
    public init(configuration: ChatClientConfiguration, logger: Logger, gate: (any EndpointGate)? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.gate = gate
        pool = CurlWorkerPool(size: configuration.maxConcurrency)
        if configuration.requestsPerMinute != nil || configuration.tokensPerMinute != nil {
            limiter = RateLimiter(requestsPerMinute: configuration.requestsPerMinute,
                                  tokensPerMinute: configuration.tokensPerMinute)
        } else {
            limiter = nil
        }
        completionsURL = Self.join(configuration.baseURL, "chat/completions")
    }

    deinit { pool.beginShutdown() }

    /// Runs `body` with a client for `configuration` and shuts the client down afterwards, also
    /// when `body` throws or the task is cancelled.
    public static func withClient<T>(
        configuration: ChatClientConfiguration,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ChatClient) async throws -> T
    ) async throws -> T {
        let client = ChatClient(configuration: configuration, logger: logger)
        return try await Scoped.run({ try await body(client) }, teardown: { await client.shutdown() })
    }

    /// Aborts the requests in flight (their callers get a cancellation), stops the transfer
    /// threads and returns once they have exited. Later requests fail with `.cancelled`. Safe to
    /// call more than once.
    public func shutdown() async {
        await pool.shutdown()
    }

    /// Transfer threads alive now: 0 before the first request and after `shutdown()`.
    var runningThreads: Int { pool.runningThreads }

    /// Host (lower-cased, with a port that is not the scheme's default) and path of the base URL:
    /// no scheme, credentials or query (see `EndpointIdentity`), unless the configuration fixes
    /// one. Part of every judgment-store key.
    public var endpointIdentity: String {
        if let fixed = configuration.endpointIdentity { return fixed }
        return URL(string: configuration.baseURL).map(EndpointIdentity.of) ?? configuration.baseURL
    }

    /// Sends `request` with retries and returns the first choice's reply with the record of the
    /// call. Throws `LLMRankError` (`.http`, `.transport`, `.timeout`, `.badReply`, `.cancelled`
    /// after `shutdown()`) or `CancellationError`.
    public func complete(_ request: ChatRequest) async throws -> ChatResult {
        let body = try request.jsonBody()
        let estimate = body.count / 4 + (request.maxTokens ?? 256)
        let (reply, attempts, latency) = try await send(url: completionsURL, body: body, tokenEstimate: estimate)
        let response = try decodeCompletion(reply.body)
        if let usage = response.usage { await limiter?.settle(estimated: estimate, actual: usage.totalTokens) }
        let record = CallRecord(attempts: attempts, latency: latency, usage: response.usage ?? Usage(), status: reply.status)
        return ChatResult(response: response, record: record)
    }

    /// GET `{base}/{path}` with the same retries and error handling (used by `doctor` for /models).
    public func get(_ path: String) async throws -> (status: Int, body: Data) {
        let (reply, _, _) = try await send(url: Self.join(configuration.baseURL, path), body: nil, tokenEstimate: 0)
        return (reply.status, reply.body)
    }

    /// POSTs a JSON `body` to `url` (a full URL, not under the base URL) with the same retries,
    /// limits and key handling as `complete`, and returns the 2xx reply's body with the record of
    /// the call. Used for endpoints that are not chat completions (a remote rerank API).
    public func postJSON(url: String, body: Data) async throws -> (body: Data, record: CallRecord) {
        let (reply, attempts, latency) = try await send(url: url, body: body, tokenEstimate: body.count / 4)
        return (reply.body, CallRecord(attempts: attempts, latency: latency, usage: Usage(), status: reply.status))
    }

    // MARK: - Retry loop

    private func send(url: String, body: Data?, tokenEstimate: Int) async throws -> (HTTPReply, Int, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        var headers = ["Content-Type: application/json", "Accept: application/json"]
        if let key = configuration.apiKey { headers.append("Authorization: Bearer \(key)") }
        for (name, value) in configuration.extraHeaders.sorted(by: { $0.key < $1.key }) {
            headers.append("\(name): \(value)")
        }
        var attempt = 0
        var timeouts = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            if pool.isShutDown { throw LLMRankError(.cancelled, redact("the client for \(url) was shut down")) }
            try await limiter?.acquire(tokenEstimate: tokenEstimate)
            try await gate?.awaitTurn(endpoint: endpointIdentity)
            let wait: Duration
            do {
                let reply = try await pool.perform(url: url, headers: headers, body: body,
                                                   timeout: configuration.requestTimeout,
                                                   connectTimeout: configuration.connectTimeout)
                logger.debug("llm call", metadata: ["url": "\(url)", "status": "\(reply.status)", "attempt": "\(attempt)"])
                if (200..<300).contains(reply.status) { return (reply, attempt, clock.now - start) }
                let error = httpError(reply, url: url, attempts: attempt)
                guard Self.isRetryable(status: reply.status), attempt < configuration.maxAttempts else { throw error }
                if let asked = Self.retryAfter(reply.headers) {
                    guard asked <= configuration.maxRetryAfter else {
                        var refused = error
                        refused.message += " (the server asks to wait \(Int(asked.seconds)) s, "
                            + "over the \(Int(configuration.maxRetryAfter.seconds)) s limit)"
                        throw refused
                    }
                    wait = asked
                    // Shared with the other processes; a store that cannot record it fails the next
                    // `awaitTurn` instead, so this one request still waits as asked.
                    if reply.status == 429 { try? await gate?.hold(endpoint: endpointIdentity, for: asked) }
                } else {
                    wait = backoff(attempt: attempt)
                }
                logger.notice("retrying", metadata: ["url": "\(url)", "status": "\(reply.status)",
                                                     "attempt": "\(attempt)", "wait_ms": "\(wait.milliseconds)"])
            } catch let failure as TransportFailure {
                let error = transportError(failure, url: url, attempts: attempt)
                if failure.timedOut { timeouts += 1 }
                guard attempt < configuration.maxAttempts, timeouts < configuration.maxTimeoutAttempts else { throw error }
                wait = backoff(attempt: attempt)
                logger.notice("retrying", metadata: ["url": "\(url)", "error": "\(failure.message)",
                                                     "attempt": "\(attempt)", "wait_ms": "\(wait.milliseconds)"])
            }
            try await Task.sleep(for: wait)
        }
    }

    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || (500...599).contains(status)
    }

    private func backoff(attempt: Int) -> Duration {
        let ceiling = min(configuration.backoffCap.seconds, configuration.backoffBase.seconds * pow(2, Double(attempt - 1)))
        return .milliseconds(Int(Double.random(in: 0...max(0, ceiling)) * 1000))
    }

    /// `retry-after-ms` (OpenAI's, milliseconds) first, then `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ headers: [String: String], now: Date = Date()) -> Duration? {
        if let ms = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return .milliseconds(Int(ms.rounded(.up)))
        }
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int((seconds * 1000).rounded(.up))) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int((date.timeIntervalSince(now) * 1000).rounded(.up))))
    }

    // MARK: - Errors

    private func httpError(_ reply: HTTPReply, url: String, attempts: Int) -> LLMRankError {
        var message = "\(reply.status) \(Self.reason(reply.status)) from \(url)"
        let detail = Self.errorDetail(reply.body).map(redact)
        if let detail { message += ": \(detail)" }
        if reply.status == 401 || reply.status == 403 {
            message += configuration.apiKey == nil ? " (no key sent)" : " (key from \(configuration.apiKeyVariable))"
        }
        var error = LLMRankError(.http, redact(message), status: reply.status, reason: detail)
        error.attempts = attempts
        return error
    }

    private func transportError(_ failure: TransportFailure, url: String, attempts: Int) -> LLMRankError {
        let kind: LLMRankError.Kind = failure.timedOut ? .timeout : .transport
        let tries = attempts == 1 ? "" : " after \(attempts) attempts"
        var error = LLMRankError(kind, redact("\(failure.message) for \(url)\(tries)"), reason: redact(failure.message))
        error.attempts = attempts
        return error
    }

    /// The `error.message` of an OpenAI-style error body, else the start of the body.
    static func errorDetail(_ body: Data) -> String? {
        if let object = try? JSONDecoder().decode(JSONValue.self, from: body) {
            if let m = object["error"]?["message"]?.stringValue { return m }
            if let m = object["error"]?.stringValue { return m }
            if let m = object["message"]?.stringValue { return m }
            if let m = object["detail"]?.stringValue { return m }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: " ")
        return text.isEmpty ? nil : text
    }

    /// Removes the key, and anything shaped like an OpenAI key, from text headed for a user.
    func redact(_ text: String) -> String {
        var out = text
        if let key = configuration.apiKey, !key.isEmpty { out = out.replacingOccurrences(of: key, with: "[redacted]") }
        return out.replacingOccurrences(of: #"sk-[A-Za-z0-9_\-]{8,}"#, with: "sk-[redacted]", options: .regularExpression)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP error"
        }
    }

    // MARK: - Decoding

    private struct CompletionBody: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
                var refusal: String?
            }
            struct Logprobs: Decodable {
                struct Entry: Decodable {
                    var token: String
                    var logprob: Double
                    var top_logprobs: [Alt]?
                }
                struct Alt: Decodable {
                    var token: String
                    var logprob: Double
                }
                var content: [Entry]?
            }
            var message: Message?
            var text: String?
            var finish_reason: String?
            var logprobs: Logprobs?
        }
        struct UsageBody: Decodable {
            struct Details: Decodable {
                var cached_tokens: Int?
            }
            var prompt_tokens: Int?
            var completion_tokens: Int?
            var prompt_tokens_details: Details?
        }
        /// llama-server's per-request figures; `cache_n` is the prompt tokens it reused.
        struct Timings: Decodable {
            var cache_n: Int?
        }
        var choices: [Choice]?
        var usage: UsageBody?
        var timings: Timings?
        var model: String?
    }

    private func decodeCompletion(_ body: Data) throws -> ChatResponse {
        let decoded: CompletionBody
        do {
            decoded = try JSONDecoder().decode(CompletionBody.self, from: body)
        } catch {
            let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
            throw LLMRankError(.badReply, redact("invalid JSON from \(completionsURL): \(excerpt)"))
        }
        guard let choice = decoded.choices?.first else {
            throw LLMRankError(.badReply, "no choices in the reply from \(completionsURL)")
        }
        var content = choice.message?.content ?? choice.text ?? choice.message?.refusal ?? ""
        // An endpoint that echoes the key (a proxy's error text, a model told to repeat its input)
        // must not carry it into traces, the judgment store or the output.
        if let key = configuration.apiKey, !key.isEmpty, content.contains(key) {
            content = content.replacingOccurrences(of: key, with: "[redacted]")
        }
        let logprobs = choice.logprobs?.content.map { entries in
            entries.map { e in
                TokenLogprob(token: e.token, logprob: e.logprob,
                             topLogprobs: (e.top_logprobs ?? []).map { TopLogprob(token: $0.token, logprob: $0.logprob) })
            }
        }
        let usage = decoded.usage.map {
            let cached = $0.prompt_tokens_details?.cached_tokens ?? decoded.timings?.cache_n ?? 0
            return Usage(promptTokens: $0.prompt_tokens ?? 0, completionTokens: $0.completion_tokens ?? 0,
                         cachedPromptTokens: min(max(0, cached), $0.prompt_tokens ?? 0))
        }
        return ChatResponse(content: content, finishReason: choice.finish_reason, logprobs: logprobs,
                            usage: usage, model: decoded.model)
    }

    private static func join(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + path
    }
}
