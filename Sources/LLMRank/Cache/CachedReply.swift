import Foundation
import Logging

/// One stored reply: the endpoint's answer as the client decoded it (text, finish reason, logprobs,
/// usage), with where and when it was obtained. Never an API key.
public struct CachedReply: Sendable, Hashable, Codable {
    /// The reply, logprobs included, exactly as first received.
    public var response: ChatResponse
    /// The model named in the request.
    public var model: String
    /// The endpoint identity (host and path) the reply came from.
    public var endpoint: String
    /// The method version of the prompt that asked (its method, name and version).
    public var methodVersion: String
    /// When the reply was received.
    public var createdAt: Date
    /// How long the original call took, retries included.
    public var latency: Duration
    /// The request body that was sent (sorted-key JSON), for audits; nil when not kept.
    public var requestBody: String?
    /// How often the entry has answered a lookup since it was stored.
    public var hits: Int

    /// A reply obtained from `endpoint` for a request to `model` by a prompt of `methodVersion`.
    public init(response: ChatResponse, model: String, endpoint: String, methodVersion: String,
                createdAt: Date = Date(), latency: Duration = .zero, requestBody: String? = nil, hits: Int = 0)
    {
        self.response = response
        self.model = model
        self.endpoint = endpoint
        self.methodVersion = methodVersion
        self.createdAt = createdAt
        self.latency = latency
        self.requestBody = requestBody
        self.hits = hits
    }

    /// Token usage of the original call (zero where the endpoint reported none).
    public var usage: Usage { response.usage ?? Usage() }
}

/// A reply in the shape a store keeps it: the response as JSON text and the rest as plain numbers
/// and strings (SQLite's columns, PostgreSQL's later). Every store writes and reads through this
/// one shape, so a reply reads back the same from any of them, and an entry that is damaged reads
/// as a miss in all of them.
struct StoredReply: Sendable, Hashable {
    /// The `ChatResponse` as sorted-key JSON.
    var response: String
    var model: String
    var endpoint: String
    var methodVersion: String
    var requestBody: String?
    /// The response's usage, kept beside it so statistics need not decode every reply.
    var promptTokens: Int
    var completionTokens: Int
    var latencyMilliseconds: Double
    /// Seconds since 1970.
    var createdAt: Double
    var hits: Int

    /// The stored shape of `reply` for `key`; a reply that cannot be encoded is an
    /// `LLMRankError(.cache)` naming the store at `location`.
    init(_ reply: CachedReply, key: String, location: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            response = String(decoding: try encoder.encode(reply.response), as: UTF8.self)
        } catch {
            throw LLMRankError(.cache, "\(location): cannot encode the reply for \(key): \(error)")
        }
        model = reply.model
        endpoint = reply.endpoint
        methodVersion = reply.methodVersion
        requestBody = reply.requestBody
        promptTokens = reply.usage.promptTokens
        completionTokens = reply.usage.completionTokens
        latencyMilliseconds = Double(reply.latency.components.seconds) * 1000
            + Double(reply.latency.components.attoseconds) / 1e15
        createdAt = reply.createdAt.timeIntervalSince1970
        hits = reply.hits
    }

    /// The shape as read back, field by field.
    init(response: String, model: String, endpoint: String, methodVersion: String, requestBody: String?,
         promptTokens: Int, completionTokens: Int, latencyMilliseconds: Double, createdAt: Double, hits: Int)
    {
        self.response = response
        self.model = model
        self.endpoint = endpoint
        self.methodVersion = methodVersion
        self.requestBody = requestBody
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMilliseconds = latencyMilliseconds
        self.createdAt = createdAt
        self.hits = hits
    }

    /// The reply of an entry as a store read it (nil when there was none), or nil when it cannot
    /// be used: then the reason is logged to `logger` as a warning naming the store and the key.
    static func usable(_ read: Result<StoredReply, UnreadableEntry>?, key: String, location: String,
                       logger: Logger?) -> CachedReply?
    {
        switch read?.flatMap({ $0.decoded() }) {
        case nil:
            return nil
        case .success(let reply)?:
            return reply
        case .failure(let unreadable)?:
            logger?.warning("judgment cache: unreadable entry, read as a miss",
                            metadata: ["store": "\(location)", "key": "\(key)", "reason": "\(unreadable.reason)"])
            return nil
        }
    }

    /// Bytes of the reply and the request body.
    var payloadBytes: Int { response.utf8.count + (requestBody?.utf8.count ?? 0) }

    /// The reply, or the reason this entry cannot be trusted: a response that does not decode,
    /// or values no real call produces (negative token counts or hits, token counts that disagree
    /// with the response's usage, a latency or date that is not a finite number, a log
    /// probability above 0 or not a number). Such an entry is a miss, never a wrong score.
    func decoded() -> Result<CachedReply, UnreadableEntry> {
        let decodedResponse: ChatResponse
        do {
            decodedResponse = try JSONDecoder().decode(ChatResponse.self, from: Data(response.utf8))
        } catch {
            return .failure(UnreadableEntry(reason: "the reply does not decode: \(Self.describe(error))"))
        }
        if let problem = Self.implausibility(of: decodedResponse) ?? implausibleColumns(decodedResponse) {
            return .failure(UnreadableEntry(reason: problem))
        }
        let reply = CachedReply(
            response: decodedResponse, model: model, endpoint: endpoint, methodVersion: methodVersion,
            createdAt: Date(timeIntervalSince1970: createdAt),
            latency: .nanoseconds(Int64((latencyMilliseconds * 1e6).rounded())), requestBody: requestBody, hits: hits)
        return .success(reply)
    }

    private func implausibleColumns(_ decodedResponse: ChatResponse) -> String? {
        if promptTokens < 0 || completionTokens < 0 { return "negative token counts" }
        let usage = decodedResponse.usage ?? Usage()
        if usage.promptTokens != promptTokens || usage.completionTokens != completionTokens
            || usage.cachedPromptTokens < 0 || usage.cachedPromptTokens > usage.promptTokens
        {
            return "token counts that disagree with the reply's usage"
        }
        if !latencyMilliseconds.isFinite || latencyMilliseconds < 0 || latencyMilliseconds > 1e12 {
            return "a latency of \(latencyMilliseconds) ms"
        }
        if !createdAt.isFinite { return "a creation time that is not a number" }
        if hits < 0 { return "a negative hit count" }
        return nil
    }

    /// A log probability is at most 0 (probability 1); a little rounding above it is allowed.
    static let logprobCeiling = 1e-3

    private static func implausibility(of response: ChatResponse) -> String? {
        if let usage = response.usage, usage.promptTokens < 0 || usage.completionTokens < 0 {
            return "negative token counts in the reply's usage"
        }
        for token in response.logprobs ?? [] {
            let values = [token.logprob] + token.topLogprobs.map(\.logprob)
            if let bad = values.first(where: { !$0.isFinite || $0 > logprobCeiling }) {
                return "a log probability of \(bad)"
            }
        }
        return nil
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "no field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}

/// Why a stored entry was read as a miss (logged, never thrown).
struct UnreadableEntry: Error, Sendable, Hashable {
    var reason: String
}
