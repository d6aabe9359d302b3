import Foundation
import Logging

/// A `ChatCompleting` that answers from a judgment store and goes upstream only for what is
/// missing. Wraps any upstream (the libcurl `ChatClient`, a test double) and any `JudgmentStore`.
///
/// - A hit returns the stored reply with a record of `cacheHit: true`, `attempts: 0` and the usage
///   the original call reported (the `Trace` leaves hits out of paid usage).
/// - A miss calls upstream once and stores the reply; errors are never stored. A stored entry that
///   cannot be read is a miss, and the new reply replaces it.
/// - Identical requests in flight are sent once (the store's `singleFlight`): later callers await
///   the first caller's call and get its reply with `cacheHit: true` (they did not pay for it). A
///   caller that is cancelled stops waiting; the shared call is cancelled only when no caller is
///   left.
public struct CachedChat: ChatCompleting {
    /// How the store is used.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Look up, and store what upstream answers.
        case readWrite
        /// Look up, never store (a shared or archived store that must not change).
        case readOnly
        /// Never look up; call upstream and replace what is stored.
        case refresh
    }

    /// Where misses go.
    public let upstream: any ChatCompleting
    /// Where replies are kept.
    public let store: any JudgmentStore
    /// The method version of the prompt this client asks for; part of every key.
    public let methodVersion: String
    /// How the store is used.
    public var mode: Mode
    /// Keep each request body next to its reply (for audits; costs space).
    public var keepsRequestBodies: Bool
    /// Where store failures are reported: a reply already paid for is returned even when it
    /// cannot be stored, and the failure is logged as a warning.
    public var logger: Logger?

    /// A client that answers `upstream`'s requests from `store` for a prompt of `methodVersion`.
    public init(upstream: any ChatCompleting, store: any JudgmentStore, methodVersion: String, mode: Mode = .readWrite,
                keepsRequestBodies: Bool = true, logger: Logger? = nil)
    {
        self.upstream = upstream
        self.store = store
        self.methodVersion = methodVersion
        self.mode = mode
        self.keepsRequestBodies = keepsRequestBodies
        self.logger = logger
    }

    /// The upstream's endpoint identity.
    public var endpointIdentity: String { upstream.endpointIdentity }

    /// The store key of `request` through this client.
    public func cacheKey(for request: ChatRequest) throws -> String {
        try CacheKey.make(endpoint: endpointIdentity, request: request, methodVersion: methodVersion)
    }

    /// The stored reply for `request`, else upstream's (stored for next time).
    public func complete(_ request: ChatRequest) async throws -> ChatResult {
        let clock = ContinuousClock()
        let start = clock.now
        let key = try cacheKey(for: request)
        let flightKey = mode == .refresh ? key + "#refresh" : key
        let shared = try await store.singleFlight(key: flightKey) { [self] in
            try await fetch(request, key: key)
        }
        switch shared.outcome {
        case .fetched(var result) where !shared.joined:
            result.record.promptHash = key
            return result
        case .fetched(let result):
            await countHit(key)
            return ChatResult(response: result.response,
                              record: CallRecord(promptHash: key, attempts: 0, latency: clock.now - start,
                                                 usage: result.record.usage, cacheHit: true))
        case .stored(let reply):
            await countHit(key)
            return ChatResult(response: reply.response,
                              record: CallRecord(promptHash: key, attempts: 0, latency: clock.now - start,
                                                 usage: reply.usage, status: nil, cacheHit: true))
        }
    }

    /// The shared part of a request: look in the store, else call upstream and store the reply.
    private func fetch(_ request: ChatRequest, key: String) async throws -> FlightOutcome {
        if mode != .refresh, let reply = try await store.get(key: key) {
            return .stored(reply)
        }
        let result = try await upstream.complete(request)
        if mode != .readOnly {
            let body = keepsRequestBodies ? (try? request.jsonBody()).map { String(decoding: $0, as: UTF8.self) } : nil
            let reply = CachedReply(response: result.response, model: request.model, endpoint: endpointIdentity,
                                    methodVersion: methodVersion, createdAt: Date(), latency: result.record.latency,
                                    requestBody: body)
            do {
                try await store.put(key: key, reply: reply)
            } catch let error as LLMRankError where error.kind == .storeUnavailable {
                // A shared store down past its deadline stops the run (it resumes from the store);
                // carrying on would pay for judgments nobody can reuse.
                throw error
            } catch {
                logger?.warning("judgment cache: reply not stored", metadata: [
                    "key": "\(key)", "error": "\(error)",
                ])
            }
        }
        return .fetched(result)
    }

    private func countHit(_ key: String) async {
        guard mode == .readWrite else { return }
        do {
            try await store.recordHit(key: key)
        } catch {
            logger?.debug("judgment cache: hit not counted", metadata: ["key": "\(key)", "error": "\(error)"])
        }
    }
}
