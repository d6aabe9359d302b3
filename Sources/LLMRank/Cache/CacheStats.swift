import Foundation
import Synchronization

/// What a judgment store holds and how it was used: `llmrank cache stats`, and `stats()` of any
/// store.
public struct CacheStats: Sendable, Hashable, Codable {
    /// Where the store lives: the SQLite file, or `memory`.
    public var path: String
    /// Entries stored (damaged ones included).
    public var entries: Int
    /// Size on disk: the SQLite file with its -wal and -shm files; 0 for a store without files.
    public var fileBytes: Int64
    /// Bytes of stored replies and request bodies.
    public var payloadBytes: Int64
    /// Lookups answered from the store, over its life.
    public var hits: Int
    /// Tokens the stored replies cost when they were first made.
    public var storedUsage: Usage
    /// Tokens the hits saved (each hit counts its entry's usage once).
    public var savedUsage: Usage
    /// When the oldest entry was stored; nil when there is none.
    public var oldest: Date?
    /// When the newest entry was stored; nil when there is none.
    public var newest: Date?
    /// Entries per model.
    public var byModel: [String: Int]
    /// Entries per method version of the prompt that asked.
    public var byMethodVersion: [String: Int]
    /// This process's lookups through this store value that found a usable reply.
    public var sessionHits: Int
    /// This process's lookups that found nothing usable (damaged entries included).
    public var sessionMisses: Int
}

/// Lookups answered and missed through one store value, in this process.
final class SessionCounters: Sendable {
    private let counts = Mutex((hits: 0, misses: 0))

    /// Counts one lookup.
    func count(hit: Bool) {
        counts.withLock { c in
            if hit { c.hits += 1 } else { c.misses += 1 }
        }
    }

    /// The counts so far.
    var snapshot: (hits: Int, misses: Int) { counts.withLock { $0 } }
}

/// The totals a persistent store reads from its table, the same for every backend.
protocol StoreTotalsReading {
    var entries: Int { get }
    var hits: Int { get }
    var payload: Int64 { get }
    var stored: Usage { get }
    var saved: Usage { get }
    var oldest: Double? { get }
    var newest: Double? { get }
    var byModel: [String: Int] { get }
    var byMethod: [String: Int] { get }
}

extension StoreTotalsReading {
    /// The statistics of a store at `location` whose file takes `fileBytes`, with this session's counts.
    func stats(location: String, fileBytes: Int64, session: SessionCounters) -> CacheStats {
        let counts = session.snapshot
        return CacheStats(
            path: location, entries: entries, fileBytes: fileBytes, payloadBytes: payload,
            hits: hits, storedUsage: stored, savedUsage: saved,
            oldest: oldest.map(Date.init(timeIntervalSince1970:)),
            newest: newest.map(Date.init(timeIntervalSince1970:)),
            byModel: byModel, byMethodVersion: byMethod,
            sessionHits: counts.hits, sessionMisses: counts.misses)
    }
}
