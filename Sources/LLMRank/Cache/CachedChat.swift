import Foundation
import Logging

/// A `ChatCompleting` that answers from the judgment cache and goes upstream only for what is
/// missing. Wraps any upstream (the libcurl `ChatClient`, a test double).
///
/// - A hit returns the stored reply with a record of `cacheHit: true`, `attempts: 0` and the usage
///   the original call reported (the `Trace` leaves hits out of paid usage).
/// - A miss calls upstream once and stores the reply; errors are never stored.
/// - Identical requests in flight in this process are sent once: later callers await the first
///   caller's call and get its reply with `cacheHit: true` (they did not pay for it). A caller
///   that is cancelled stops waiting; the shared call is cancelled only when no caller is left.
public struct CachedChat: ChatCompleting {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Look up, and store what upstream answers.
        case readWrite
        /// Look up, never store (a shared or archived cache that must not change).
        case readOnly
        /// Never look up; call upstream and replace what is stored.
        case refresh
    }

    public let upstream: any ChatCompleting
    public let cache: JudgmentCache
    /// The method version of the prompt this client asks for; part of every key.
    public let methodVersion: String
    public var mode: Mode
    /// Keep each request body next to its reply (for audits; costs space).
    public var keepsRequestBodies: Bool
    /// Where store failures are reported: a reply already paid for is returned even when it
    /// cannot be stored, and the failure is logged as a warning.
    public var logger: Logger?

    public init(upstream: any ChatCompleting, cache: JudgmentCache, methodVersion: String, mode: Mode = .readWrite,
                keepsRequestBodies: Bool = true, logger: Logger? = nil)
    {
        self.upstream = upstream
        self.cache = cache
        self.methodVersion = methodVersion
        self.mode = mode
        self.keepsRequestBodies = keepsRequestBodies
        self.logger = logger
    }

    public var endpointIdentity: String { upstream.endpointIdentity }

    /// The cache key of `request` through this client.
    public func cacheKey(for request: ChatRequest) throws -> String {
        try CacheKey.make(endpoint: endpointIdentity, request: request, methodVersion: methodVersion)
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResult {
        let clock = ContinuousClock()
        let start = clock.now
        let key = try cacheKey(for: request)

        if mode != .refresh, let reply = try await cache.lookup(key: key) {
            await countHit(key)
            return Self.hit(reply, key: key, latency: clock.now - start)
        }

        let flightKey = mode == .refresh ? key + "#refresh" : key
        let ticket = await cache.flights.join(key: flightKey) { [self] in
            try await fetch(request, key: key)
        }
        let flights = cache.flights
        let outcome = try await withTaskCancellationHandler {
            try await ticket.task.value
        } onCancel: {
            Task { await flights.leave(key: flightKey, ticket: ticket) }
        }

        switch outcome {
        case .fetched(var result) where !ticket.joined:
            result.record.promptHash = key
            return result
        case .fetched(let result):
            await countHit(key)
            return ChatResult(response: result.response,
                              record: CallRecord(promptHash: key, attempts: 0, latency: clock.now - start,
                                                 usage: result.record.usage, cacheHit: true))
        case .cached(let reply):
            await countHit(key)
            return Self.hit(reply, key: key, latency: clock.now - start)
        }
    }

    /// The shared part of a miss: look again (another caller may have stored it since), else call
    /// upstream and store the reply.
    private func fetch(_ request: ChatRequest, key: String) async throws -> FlightOutcome {
        if mode != .refresh, let reply = try await cache.find(key: key) {
            return .cached(reply)
        }
        let result = try await upstream.complete(request)
        if mode != .readOnly {
            let body = keepsRequestBodies ? (try? request.jsonBody()).map { String(decoding: $0, as: UTF8.self) } : nil
            let reply = CachedReply(response: result.response, model: request.model, endpoint: endpointIdentity,
                                    methodVersion: methodVersion, createdAt: Date(), latency: result.record.latency,
                                    requestBody: body)
            do {
                try await cache.store(key: key, reply: reply)
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
            try await cache.recordHit(key: key)
        } catch {
            logger?.debug("judgment cache: hit not counted", metadata: ["key": "\(key)", "error": "\(error)"])
        }
    }

    private static func hit(_ reply: CachedReply, key: String, latency: Duration) -> ChatResult {
        ChatResult(response: reply.response,
                   record: CallRecord(promptHash: key, attempts: 0, latency: latency, usage: reply.usage,
                                      status: nil, cacheHit: true))
    }
}

/// What a shared call produced: a reply found in the cache after all, or upstream's result.
enum FlightOutcome: Sendable {
    case cached(CachedReply)
    case fetched(ChatResult)
}

/// Calls in flight by cache key, so identical requests in one process are sent once.
actor FlightTable {
    struct Ticket: Sendable {
        let flightID: UInt64
        let waiterID: UInt64
        let task: Task<FlightOutcome, any Error>
        /// True when the caller joined a call another caller started.
        let joined: Bool
    }

    private struct Flight {
        let id: UInt64
        let task: Task<FlightOutcome, any Error>
        var waiters: Set<UInt64>
    }

    private var flights: [String: Flight] = [:]
    private var nextID: UInt64 = 0

    /// Calls in flight now (for tests).
    var count: Int { flights.count }

    /// Callers waiting on the call for `key` (for tests).
    func waiters(for key: String) -> Int { flights[key]?.waiters.count ?? 0 }

    /// Joins the call in flight for `key`, or starts `operation` as that call.
    func join(key: String, operation: @escaping @Sendable () async throws -> FlightOutcome) -> Ticket {
        nextID += 1
        let waiter = nextID
        if var flight = flights[key] {
            flight.waiters.insert(waiter)
            flights[key] = flight
            return Ticket(flightID: flight.id, waiterID: waiter, task: flight.task, joined: true)
        }
        nextID += 1
        let id = nextID
        let task = Task<FlightOutcome, any Error> {
            do {
                let outcome = try await operation()
                self.finish(key: key, id: id)
                return outcome
            } catch {
                self.finish(key: key, id: id)
                throw error
            }
        }
        flights[key] = Flight(id: id, task: task, waiters: [waiter])
        return Ticket(flightID: id, waiterID: waiter, task: task, joined: false)
    }

    /// A cancelled caller stops waiting; the call is cancelled when it was the last one waiting.
    func leave(key: String, ticket: Ticket) {
        guard var flight = flights[key], flight.id == ticket.flightID else { return }
        flight.waiters.remove(ticket.waiterID)
        if flight.waiters.isEmpty {
            flight.task.cancel()
            flights[key] = nil
        } else {
            flights[key] = flight
        }
    }

    private func finish(key: String, id: UInt64) {
        if flights[key]?.id == id { flights[key] = nil }
    }
}
