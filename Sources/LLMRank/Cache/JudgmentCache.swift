import Foundation
import GRDB

/// One cached reply: the endpoint's answer as the client decoded it (text, finish reason, logprobs,
/// usage), with where and when it was obtained. Never an API key.
public struct CachedReply: Sendable, Hashable, Codable {
    /// The reply, logprobs included, exactly as first received.
    public var response: ChatResponse
    /// The model named in the request.
    public var model: String
    /// The endpoint identity (host and path) the reply came from.
    public var endpoint: String
    /// The method version of the prompt that asked (see `PromptTemplate.methodVersion`).
    public var methodVersion: String
    /// When the reply was received.
    public var createdAt: Date
    /// How long the original call took, retries included.
    public var latency: Duration
    /// The request body that was sent (sorted-key JSON), for audits; nil when not kept.
    public var requestBody: String?
    /// How often the entry has answered a lookup since it was stored.
    public var hits: Int

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

/// What `llmrank cache stats` reports.
public struct CacheStats: Sendable, Hashable, Codable {
    /// The database file.
    public var path: String
    public var entries: Int
    /// Size on disk: the database file with its -wal and -shm files.
    public var fileBytes: Int64
    /// Bytes of stored replies and request bodies.
    public var payloadBytes: Int64
    /// Lookups answered from the cache, over the file's life.
    public var hits: Int
    /// Tokens the stored replies cost when they were first made.
    public var storedUsage: Usage
    /// Tokens the hits saved (each hit counts its entry's usage once).
    public var savedUsage: Usage
    public var oldest: Date?
    public var newest: Date?
    /// Entries per model, per method version.
    public var byModel: [String: Int]
    public var byMethodVersion: [String: Int]
    /// This process's lookups: answered from the file, and not found.
    public var sessionHits: Int
    public var sessionMisses: Int
}

/// The judgment cache: one SQLite file (WAL mode) of LLM replies by cache key.
///
/// - Several processes share one file: WAL lets readers run beside the one writer, and a busy
///   timeout makes writers from other processes wait their turn instead of failing.
/// - Every store is one SQLite transaction: a process killed at any point leaves a consistent file
///   holding every reply stored before it died, so a rerun pays only for what is missing.
/// - Within a process, identical requests in flight are sent once (`CachedChat` shares the call
///   through this cache's flight table). Across processes two identical requests may both be sent;
///   the second store replaces the first with an equivalent reply.
public final class JudgmentCache: Sendable {
    /// The database file.
    public let path: URL
    let pool: DatabasePool
    /// Calls in flight in this process, by key (see `CachedChat`).
    let flights = FlightTable()
    private let counters = SessionCounters()

    /// The current schema; a file written by a newer llmrank is refused rather than misread.
    static let schemaVersion = 1

    /// How long a writer waits for another process's write before failing.
    public static let defaultBusyTimeout: TimeInterval = 30

    private init(path: URL, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens (creating where needed, parent folders included) the cache file at `path`.
    /// The default location is `LLMRankPaths.defaultCache()`: `~/.cache/llmrank/judgments.sqlite`.
    public static func open(path: URL = LLMRankPaths.defaultCache(),
                            busyTimeout: TimeInterval = defaultBusyTimeout) throws -> JudgmentCache
    {
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
        } catch {
            throw LLMRankError(.cache, "\(path.path): cannot create the cache folder: \(error.localizedDescription)")
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "llmrank.cache"
        config.prepareDatabase { db in
            // WAL with NORMAL sync: a commit survives a killed process (the OS keeps the WAL
            // pages); only a power cut can lose the last commits, never consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path.path, configuration: config)
            try pool.write { db in try migrate(db, path: path) }
        } catch let error as LLMRankError {
            throw error
        } catch {
            throw LLMRankError(.cache, "\(path.path): cannot open the judgment cache: \(describe(error)) (use --cache PATH for another file, or --no-cache)")
        }
        return JudgmentCache(path: path, pool: pool)
    }

    private static func migrate(_ db: Database, path: URL) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version <= schemaVersion else {
            throw LLMRankError(.cache, "\(path.path): the cache was written by a newer llmrank (schema \(version), this one reads \(schemaVersion)); use --cache PATH for another file")
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

    /// The cached reply for `key`, or nil. Counted in this process's session hits and misses.
    public func lookup(key: String) async throws -> CachedReply? {
        let reply = try await find(key: key)
        await counters.count(hit: reply != nil)
        return reply
    }

    /// `lookup` without counting (the second look of a shared miss).
    func find(key: String) async throws -> CachedReply? {
        let file = path.path
        return try await access("look up a reply") { [pool] in
            try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM judgments WHERE key = ?", arguments: [key])
                    .map { try Self.decode($0, key: key, file: file) }
            }
        }
    }

    /// Stores (or replaces) the reply for `key` in one transaction.
    public func store(key: String, reply: CachedReply) async throws {
        let response: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            response = String(decoding: try encoder.encode(reply.response), as: UTF8.self)
        } catch {
            throw LLMRankError(.cache, "\(path.path): cannot encode the reply for \(key): \(error)")
        }
        let latencyMS = Double(reply.latency.components.seconds) * 1000
            + Double(reply.latency.components.attoseconds) / 1e15
        let arguments: StatementArguments = [
            key, reply.endpoint, reply.model, reply.methodVersion, response, reply.requestBody,
            reply.usage.promptTokens, reply.usage.completionTokens, latencyMS,
            reply.createdAt.timeIntervalSince1970, reply.hits,
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
    public func recordHit(key: String, at date: Date = Date()) async throws {
        try await access("count a hit") { [pool] in
            try await pool.write { db in
                try db.execute(sql: "UPDATE judgments SET hits = hits + 1, last_hit_at = ? WHERE key = ?",
                               arguments: [date.timeIntervalSince1970, key])
            }
        }
    }

    /// Entry count, sizes, hits, tokens and dates of the whole file, plus this process's lookups.
    public func stats() async throws -> CacheStats {
        struct Totals: Sendable {
            var entries = 0, hits = 0, payload: Int64 = 0
            var stored = Usage(), saved = Usage()
            var oldest: Double?, newest: Double?
            var byModel: [String: Int] = [:], byMethod: [String: Int] = [:]
        }
        let totals = try await access("read statistics") { [pool] in
            try await pool.read { db in
                var t = Totals()
                if let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*) AS n, COALESCE(SUM(hits), 0) AS hits,
                           COALESCE(SUM(LENGTH(CAST(response AS BLOB)) + COALESCE(LENGTH(CAST(request AS BLOB)), 0)), 0) AS payload,
                           COALESCE(SUM(prompt_tokens), 0) AS pt, COALESCE(SUM(completion_tokens), 0) AS ct,
                           COALESCE(SUM(hits * prompt_tokens), 0) AS spt, COALESCE(SUM(hits * completion_tokens), 0) AS sct,
                           MIN(created_at) AS oldest, MAX(created_at) AS newest
                    FROM judgments
                    """)
                {
                    t.entries = row["n"]
                    t.hits = row["hits"]
                    t.payload = row["payload"]
                    t.stored = Usage(promptTokens: row["pt"], completionTokens: row["ct"])
                    t.saved = Usage(promptTokens: row["spt"], completionTokens: row["sct"])
                    t.oldest = row["oldest"]
                    t.newest = row["newest"]
                }
                for row in try Row.fetchAll(db, sql: "SELECT model, COUNT(*) AS n FROM judgments GROUP BY model") {
                    t.byModel[row["model"]] = row["n"]
                }
                for row in try Row.fetchAll(db, sql: "SELECT method_version, COUNT(*) AS n FROM judgments GROUP BY method_version") {
                    t.byMethod[row["method_version"]] = row["n"]
                }
                return t
            }
        }
        let session = await counters.snapshot()
        return CacheStats(
            path: path.path, entries: totals.entries, fileBytes: fileBytes(), payloadBytes: totals.payload,
            hits: totals.hits, storedUsage: totals.stored, savedUsage: totals.saved,
            oldest: totals.oldest.map(Date.init(timeIntervalSince1970:)),
            newest: totals.newest.map(Date.init(timeIntervalSince1970:)),
            byModel: totals.byModel, byMethodVersion: totals.byMethod,
            sessionHits: session.hits, sessionMisses: session.misses)
    }

    /// Deletes entries: all of them, or those created before `olderThan`. Returns how many.
    /// After deleting everything, the file is compacted.
    @discardableResult
    public func clear(olderThan: Date? = nil) async throws -> Int {
        let deleted = try await access("clear the cache") { [pool] in
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

    /// Runs SQLite's integrity check; throws when the file is damaged.
    public func verify() async throws {
        let result = try await access("check integrity") { [pool] in
            try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        }
        guard result == ["ok"] else {
            throw LLMRankError(.cache, "\(path.path): the cache file is damaged: \(result.prefix(3).joined(separator: "; ")); run llmrank cache clear or delete the file")
        }
    }

    /// Every key in the file (for tests and audits).
    public func keys() async throws -> [String] {
        try await access("list keys") { [pool] in
            try await pool.read { db in try String.fetchAll(db, sql: "SELECT key FROM judgments ORDER BY key") }
        }
    }

    // MARK: Helpers

    private static func decode(_ row: Row, key: String, file: String) throws -> CachedReply {
        let text: String = row["response"]
        let response: ChatResponse
        do {
            response = try JSONDecoder().decode(ChatResponse.self, from: Data(text.utf8))
        } catch {
            throw LLMRankError(.cache, "\(file): the cached reply for \(key) cannot be decoded (\(error)); run llmrank cache clear or use --no-cache")
        }
        let latencyMS: Double = row["latency_ms"]
        return CachedReply(
            response: response, model: row["model"], endpoint: row["endpoint"],
            methodVersion: row["method_version"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            latency: .nanoseconds(Int64(latencyMS * 1e6)), requestBody: row["request"], hits: row["hits"])
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

/// Lookups answered and missed by this process.
actor SessionCounters {
    private(set) var hits = 0
    private(set) var misses = 0

    func count(hit: Bool) {
        if hit { hits += 1 } else { misses += 1 }
    }

    func snapshot() -> (hits: Int, misses: Int) { (hits, misses) }
}
