import Foundation
import Logging
import Synchronization

/// A judgment store in this process's memory: for tests, and for uses that want repeated requests
/// answered within one run without a file. Entries are kept in the same stored shape as SQLite's
/// rows, so they read back exactly as from a file and damaged ones are misses here too. Gone when
/// the value is.
public final class MemoryJudgmentStore: InProcessSingleFlight {
    /// Always `memory`.
    public let location = "memory"
    private let entries = Mutex<[String: StoredReply]>([:])
    /// The calls in flight through this store value.
    public let flights = FlightTable()
    private let counters = SessionCounters()
    private let logger: Logger?

    /// An empty store; unreadable entries are reported to `logger`.
    public init(logger: Logger? = nil) {
        self.logger = logger
    }

    /// The usable reply for `key`, or nil; an entry that cannot be read is nil too, and logged.
    public func get(key: String) async throws -> CachedReply? {
        let stored = entries.withLock { $0[key] }.map { Result<StoredReply, UnreadableEntry>.success($0) }
        let reply = StoredReply.usable(stored, key: key, location: location, logger: logger)
        counters.count(hit: reply != nil)
        return reply
    }

    /// Stores (or replaces) the reply for `key`.
    public func put(key: String, reply: CachedReply) async throws {
        let stored = try StoredReply(reply, key: key, location: location)
        entries.withLock { $0[key] = stored }
    }

    /// Counts a hit on `key`. A missing key is not an error.
    public func recordHit(key: String, at date: Date) async throws {
        entries.withLock { entries in
            entries[key]?.hits += 1
            return
        }
    }

    /// Entry count, sizes, hits, tokens and dates, plus this value's lookups.
    public func stats() async throws -> CacheStats {
        let all = entries.withLock { Array($0.values) }
        var stats = CacheStats(path: location, entries: all.count, fileBytes: 0, payloadBytes: 0, hits: 0,
                               storedUsage: Usage(), savedUsage: Usage(), oldest: nil, newest: nil,
                               byModel: [:], byMethodVersion: [:], sessionHits: 0, sessionMisses: 0)
        for entry in all {
            let usage = Usage(promptTokens: entry.promptTokens, completionTokens: entry.completionTokens)
            stats.payloadBytes += Int64(entry.payloadBytes)
            stats.hits += entry.hits
            stats.storedUsage = stats.storedUsage + usage
            stats.savedUsage = stats.savedUsage + Usage(promptTokens: entry.hits * usage.promptTokens,
                                                        completionTokens: entry.hits * usage.completionTokens)
            let created = Date(timeIntervalSince1970: entry.createdAt)
            stats.oldest = min(stats.oldest ?? created, created)
            stats.newest = max(stats.newest ?? created, created)
            stats.byModel[entry.model, default: 0] += 1
            stats.byMethodVersion[entry.methodVersion, default: 0] += 1
        }
        (stats.sessionHits, stats.sessionMisses) = counters.snapshot
        return stats
    }

    /// Deletes entries: all of them, or those created before `olderThan`. Returns how many.
    @discardableResult
    public func clear(olderThan: Date?) async throws -> Int {
        entries.withLock { entries in
            let before = entries.count
            if let olderThan {
                entries = entries.filter { $0.value.createdAt >= olderThan.timeIntervalSince1970 }
            } else {
                entries = [:]
            }
            return before - entries.count
        }
    }

    /// Every key, sorted.
    public func keys() async throws -> [String] {
        entries.withLock { $0.keys.sorted() }
    }

    /// A page of entries in key order, for export.
    public func entries(after key: String?, limit: Int) async throws -> [(key: String, reply: CachedReply?)] {
        let page = entries.withLock { entries in
            entries.filter { key == nil || $0.key > key! }.sorted { $0.key < $1.key }.prefix(max(0, limit))
        }
        return page.map { (key: $0.key, reply: try? $0.value.decoded().get()) }
    }

    /// Nothing to release.
    public func close() async {}

    /// Changes the stored shape of `key` in place (for tests: an entry damaged as a file can be).
    func modifyStored(key: String, _ change: (inout StoredReply) -> Void) {
        entries.withLock { entries in
            guard var entry = entries[key] else { return }
            change(&entry)
            entries[key] = entry
        }
    }
}
