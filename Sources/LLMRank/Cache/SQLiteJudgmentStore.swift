import Foundation
import GRDB
import Logging

/// The judgment store in one SQLite file (WAL mode, through GRDB): the default,
/// `$LLMRANK_HOME/judgments.sqlite`.
///
/// - Several processes share one file: WAL lets readers run beside the one writer, and a busy
///   timeout makes writers from other processes wait their turn instead of failing.
/// - Every `put` is one SQLite transaction: a process killed at any point leaves a consistent file
///   holding every reply stored before it died, so a rerun pays only for what is missing.
/// - Within a process, identical requests in flight are sent once (`singleFlight`). Across
///   processes two identical requests may both be sent; the second `put` replaces the first with
///   an equivalent reply.
/// - A row that cannot be read (a reply that does not decode, a value of the wrong type, values no
///   call produces) is a miss, logged as a warning; the next `put` for its key replaces it.
public final class SQLiteJudgmentStore: InProcessSingleFlight {
    /// The database file.
    public let path: URL
    /// The file's path.
    public var location: String { path.path }
    let pool: DatabasePool
    /// The calls in flight through this store value.
    public let flights = FlightTable()
    private let counters = SessionCounters()
    private let logger: Logger?

    /// The current schema; a file written by a newer llmrank is refused rather than misread.
    static let schemaVersion = 1

    /// How long a writer waits for another process's write before failing.
    public static let defaultBusyTimeout: TimeInterval = 30

    private init(path: URL, pool: DatabasePool, logger: Logger?) {
        self.path = path
        self.pool = pool
        self.logger = logger
    }

    /// Opens (creating where needed, parent folders included) the store file at `path`, on a
    /// thread of its own (opening and migrating a file blocks). The default location is
    /// `LLMRankPaths.defaultCache()`: `~/.cache/llmrank/judgments.sqlite`. Unreadable rows are
    /// reported to `logger`.
    public static func open(path: URL = LLMRankPaths.defaultCache(), busyTimeout: TimeInterval = defaultBusyTimeout,
                            logger: Logger? = nil) async throws -> SQLiteJudgmentStore
    {
        let pool = try await Blocking.run { try openPool(path: path, busyTimeout: busyTimeout) }
        return SQLiteJudgmentStore(path: path, pool: pool, logger: logger)
    }

    private static func openPool(path: URL, busyTimeout: TimeInterval) throws -> DatabasePool {
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
        } catch {
            throw LLMRankError(.cache, "\(path.path): cannot create the folder of the judgment cache: \(error.localizedDescription)")
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "llmrank.cache"
        config.prepareDatabase { db in
            // WAL with NORMAL sync: a commit survives a killed process (the OS keeps the WAL
            // pages); only a power cut can lose the last commits, never consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let pool = try DatabasePool(path: path.path, configuration: config)
            try pool.write { db in try migrate(db, path: path) }
            return pool
        } catch let error as LLMRankError {
            throw error
        } catch {
            throw LLMRankError(.cache, "\(path.path): cannot open the judgment cache: \(describe(error))")
        }
    }

    private static func migrate(_ db: Database, path: URL) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version <= schemaVersion else {
            throw LLMRankError(.cacheIncompatible, "\(path.path): the judgment cache was written by a newer llmrank (schema \(version), this one reads \(schemaVersion))")
        }
        // IF NOT EXISTS: two processes opening a new file at once both succeed.
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS judgments (
                key TEXT PRIMARY KEY NOT NULL,
                endpoint TEXT NOT NULL,
                model TEXT NOT NULL,
                method_version TEXT NOT NULL,
                response TEXT NOT NULL,
                request TEXT,
                prompt_tokens INTEGER NOT NULL,
                completion_tokens INTEGER NOT NULL,
                latency_ms REAL NOT NULL,
                created_at REAL NOT NULL,
                hits INTEGER NOT NULL DEFAULT 0,
                last_hit_at REAL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS judgments_created_at ON judgments(created_at);
            """)
        if version < schemaVersion { try db.execute(sql: "PRAGMA user_version = \(schemaVersion)") }
    }

    // MARK: Reading and writing

    /// The usable reply for `key`, or nil; a row that cannot be read is nil too, and logged.
    public func get(key: String) async throws -> CachedReply? {
        let stored = try await access("look up a reply") { [pool] in
            try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM judgments WHERE key = ?", arguments: [key]).map(Self.stored)
            }
        }
        let reply = StoredReply.usable(stored, key: key, location: path.path, logger: logger)
        counters.count(hit: reply != nil)
        return reply
    }

    /// Stores (or replaces) the reply for `key` in one transaction.
    public func put(key: String, reply: CachedReply) async throws {
        let row = try StoredReply(reply, key: key, location: path.path)
        let arguments: StatementArguments = [
            key, row.endpoint, row.model, row.methodVersion, row.response, row.requestBody,
            row.promptTokens, row.completionTokens, row.latencyMilliseconds, row.createdAt, row.hits,
        ]
        try await access("store a reply") { [pool] in
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO judgments
                        (key, endpoint, model, method_version, response, request, prompt_tokens,
                         completion_tokens, latency_ms, created_at, hits)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
            }
        }
    }

    /// Counts a hit on `key` (for `cache stats`). A missing key is not an error.
    public func recordHit(key: String, at date: Date) async throws {
        try await access("count a hit") { [pool] in
            try await pool.write { db in
                try db.execute(sql: "UPDATE judgments SET hits = hits + 1, last_hit_at = ? WHERE key = ?",
                               arguments: [date.timeIntervalSince1970, key])
            }
        }
    }

    // MARK: Whole-file operations

    /// Entry count, sizes, hits, tokens and dates of the whole file, plus this value's lookups.
    public func stats() async throws -> CacheStats {
        let totals = try await access("read statistics") { [pool] in
            try await pool.read { db in try SQLiteStoreTotals(db) }
        }
        return totals.stats(location: path.path, fileBytes: fileBytes(), session: counters)
    }

    /// Deletes entries: all of them, or those created before `olderThan`. Returns how many.
    /// After deleting everything, the file is compacted.
    @discardableResult
    public func clear(olderThan: Date?) async throws -> Int {
        let deleted = try await access("clear the judgment cache") { [pool] in
            try await pool.write { db in
                if let olderThan {
                    try db.execute(sql: "DELETE FROM judgments WHERE created_at < ?",
                                   arguments: [olderThan.timeIntervalSince1970])
                } else {
                    try db.execute(sql: "DELETE FROM judgments")
                }
                return db.changesCount
            }
        }
        if olderThan == nil {
            try await access("compact the file after deleting \(deleted) entries") { [pool] in
                try await pool.writeWithoutTransaction { db in
                    try db.execute(sql: "VACUUM")
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
            }
        }
        return deleted
    }

    /// Runs SQLite's integrity check; throws `.cacheDamaged` when the file is damaged.
    public func verify() async throws {
        let result = try await access("check integrity") { [pool] in
            try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        }
        guard result == ["ok"] else {
            throw LLMRankError(.cacheDamaged, "\(path.path): the judgment cache is damaged: \(result.prefix(3).joined(separator: "; "))")
        }
    }

    /// Every key in the file, sorted.
    public func keys() async throws -> [String] {
        try await access("list keys") { [pool] in
            try await pool.read { db in try String.fetchAll(db, sql: "SELECT key FROM judgments ORDER BY key") }
        }
    }

    /// A page of entries in key order, for export.
    public func entries(after key: String?, limit: Int) async throws -> [(key: String, reply: CachedReply?)] {
        let rows = try await access("read entries") { [pool] in
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM judgments WHERE key > ? ORDER BY key LIMIT ?",
                                 arguments: [key ?? "", max(0, limit)]).map { row -> (String, Result<StoredReply, UnreadableEntry>) in
                    ((row["key"] as String?) ?? "", Self.stored(row))
                }
            }
        }
        return rows.map { (key: $0.0, reply: try? $0.1.flatMap { $0.decoded() }.get()) }
    }

    /// Closes the file's connections; later calls fail with `.cache`.
    public func close() async {
        do {
            try pool.close()
        } catch {
            logger?.debug("judgment cache: not closed", metadata: ["file": "\(path.path)", "error": "\(Self.describe(error))"])
        }
    }

    // MARK: Helpers

    /// A row in the stored shape, or why it cannot be read (a NULL or a value of the wrong type:
    /// the file was written by something else, or damaged).
    private static func stored(_ row: Row) -> Result<StoredReply, UnreadableEntry> {
        do {
            return .success(StoredReply(
                response: try row.decode(forColumn: "response"), model: try row.decode(forColumn: "model"),
                endpoint: try row.decode(forColumn: "endpoint"), methodVersion: try row.decode(forColumn: "method_version"),
                requestBody: try row.decode(forColumn: "request"),
                promptTokens: try row.decode(forColumn: "prompt_tokens"),
                completionTokens: try row.decode(forColumn: "completion_tokens"),
                latencyMilliseconds: try row.decode(forColumn: "latency_ms"),
                createdAt: try row.decode(forColumn: "created_at"), hits: try row.decode(forColumn: "hits")))
        } catch {
            return .failure(UnreadableEntry(reason: describe(error)))
        }
    }

    private func fileBytes() -> Int64 {
        ["", "-wal", "-shm"].reduce(Int64(0)) { total, suffix in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path.path + suffix)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Runs a database access, turning any failure into an `LLMRankError(.cache)` naming the file.
    private func access<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LLMRankError {
            throw error
        } catch is CancellationError {
            throw LLMRankError(.cancelled, "\(path.path): cancelled while trying to \(what)")
        } catch {
            throw LLMRankError(.cache, "\(path.path): cannot \(what): \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message.map { "\($0) (SQLite \(db.resultCode))" } ?? "SQLite \(db.resultCode)"
        }
        return "\(error)"
    }
}

/// The whole-file aggregates behind `stats()`, read in one transaction. Values are read with
/// checked conversions, so a damaged row makes an error, never a crash.
private struct SQLiteStoreTotals: Sendable, StoreTotalsReading {
    var entries = 0, hits = 0, payload: Int64 = 0
    var stored = Usage(), saved = Usage()
    var oldest: Double?, newest: Double?
    var byModel: [String: Int] = [:], byMethod: [String: Int] = [:]

    init(_ db: Database) throws {
        if let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS n, COALESCE(SUM(hits), 0) AS hits,
                   COALESCE(SUM(LENGTH(CAST(response AS BLOB)) + COALESCE(LENGTH(CAST(request AS BLOB)), 0)), 0) AS payload,
                   COALESCE(SUM(prompt_tokens), 0) AS pt, COALESCE(SUM(completion_tokens), 0) AS ct,
                   COALESCE(SUM(hits * prompt_tokens), 0) AS spt, COALESCE(SUM(hits * completion_tokens), 0) AS sct,
                   MIN(created_at) AS oldest, MAX(created_at) AS newest
            FROM judgments
            """)
        {
            entries = try row.decode(forColumn: "n")
            hits = try row.decode(forColumn: "hits")
            payload = try row.decode(forColumn: "payload")
            stored = Usage(promptTokens: try row.decode(forColumn: "pt"), completionTokens: try row.decode(forColumn: "ct"))
            saved = Usage(promptTokens: try row.decode(forColumn: "spt"), completionTokens: try row.decode(forColumn: "sct"))
            oldest = try? row.decode(Double?.self, forColumn: "oldest")
            newest = try? row.decode(Double?.self, forColumn: "newest")
        }
        for row in try Row.fetchAll(db, sql: "SELECT model, COUNT(*) AS n FROM judgments GROUP BY model") {
            byModel[try row.decode(forColumn: "model")] = try row.decode(forColumn: "n")
        }
        for row in try Row.fetchAll(db, sql: "SELECT method_version, COUNT(*) AS n FROM judgments GROUP BY method_version") {
            byMethod[try row.decode(forColumn: "method_version")] = try row.decode(forColumn: "n")
        }
    }
}
