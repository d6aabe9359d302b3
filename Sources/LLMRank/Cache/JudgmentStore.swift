import Foundation

/// Where judgments are kept: LLM replies by cache key (`CacheKey`), so a request asked again, by
/// this run or a later one, is answered without paying for it. `CachedChat` reads and writes a
/// store; `SQLiteJudgmentStore` (one file, shared by processes) and `MemoryJudgmentStore` (this
/// process only) implement it, and a store on a database server is one more implementation.
///
/// The contract every store keeps (one parameterized test suite checks it for each):
/// - `get` returns what `put` stored for the key, whole (logprobs included), or nil. An entry that
///   cannot be decoded, or whose values make no sense (negative token counts, a latency that is
///   not a number, a log probability above 0), is nil as well: a miss, which the next `put`
///   replaces; never an error, a crash or a wrong score.
/// - `put` replaces an entry at once: a reader sees the old reply or the new one, never a part.
/// - `singleFlight` runs an operation once for all the callers of a key that overlap in time
///   (at least within the process, through a `FlightTable`); a caller that is cancelled stops
///   waiting, and the operation is cancelled when no caller is left.
/// - `stats`, `clear` and `keys` cover the whole store, not just this process's entries.
/// - Methods are `async` and may suspend for I/O, never blocking Swift's cooperative threads.
/// - Failures are `LLMRankError`s of kind `.cache` (cannot open, read or write),
///   `.cacheIncompatible` (written by a newer llmrank), `.cacheDamaged` (failed an integrity
///   check) or `.cancelled`; their messages name `location` and hold facts, never advice or a
///   credential.
/// - No API key reaches a store: keys are hashes and replies hold no headers.
public protocol JudgmentStore: Sendable {
    /// Where the store lives, for messages and statistics: a file path, `memory`, a database
    /// address without its password.
    var location: String { get }

    /// The usable reply stored for `key`, or nil (none, or one that cannot be trusted). Counted in
    /// this store value's session hits and misses.
    func get(key: String) async throws -> CachedReply?

    /// Stores `reply` for `key`, replacing what was there, in one transaction.
    func put(key: String, reply: CachedReply) async throws

    /// Counts a hit on `key` at `date` (for statistics). A missing key is not an error.
    func recordHit(key: String, at date: Date) async throws

    /// Runs `operation` once for every caller that asks for `key` while it runs, and hands each
    /// caller its outcome (see `FlightTable`).
    func singleFlight(key: String, _ operation: @escaping @Sendable () async throws -> FlightOutcome) async throws
        -> SharedFlight

    /// Entries, sizes, hits, tokens and dates of the whole store, plus this value's session lookups.
    func stats() async throws -> CacheStats

    /// Deletes the entries created before `olderThan`, or all of them when it is nil, and returns
    /// how many.
    @discardableResult
    func clear(olderThan: Date?) async throws -> Int

    /// Every key stored, sorted (for tests and audits).
    func keys() async throws -> [String]

    /// Up to `limit` entries whose keys sort after `key` (all, when nil), in key order (bytewise),
    /// each with its reply, or nil for an entry that cannot be used (see `get`). For export:
    /// neither counted as lookups nor as hits.
    func entries(after key: String?, limit: Int) async throws -> [(key: String, reply: CachedReply?)]

    /// Releases connections and files. The store is not used afterwards; safe to call twice.
    func close() async
}

extension JudgmentStore {
    /// Counts a hit on `key` now.
    public func recordHit(key: String) async throws {
        try await recordHit(key: key, at: Date())
    }

    /// Deletes every entry and returns how many there were.
    @discardableResult
    public func clear() async throws -> Int {
        try await clear(olderThan: nil)
    }
}
