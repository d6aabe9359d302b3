import Foundation
import Logging
import PostgresNIO

/// The judgment store on a PostgreSQL server (`--cache postgres://…`), shared by every process
/// and machine that names it: `llmrank serve` replicas, the shards of an evaluation.
///
/// - The same entries as the SQLite store (key, reply, audit columns), in `llmrank_judgments`;
///   `llmrank_schema_version` holds the schema's version, created and migrated on first use under
///   an advisory lock, so processes starting together agree.
/// - Single flight across processes: before calling upstream for a key, a process claims it with a
///   row in `llmrank_claims` (`INSERT … ON CONFLICT DO UPDATE … WHERE the lease ran out`), renews
///   the lease while the call runs and deletes the row after storing the reply. Another process
///   asking for the key meanwhile waits for the row to go (polling, 20 ms doubling to 500 ms), then
///   finds the stored reply. A claimant killed with SIGKILL stops renewing; when its lease runs out
///   another process takes the key over. Within a process callers share one `FlightTable` call.
/// - A dropped connection or a restarted server is survived (`PostgresLink`): statements are
///   retried on a new connection until `reconnectDeadline`, then fail with `.storeUnavailable`.
/// - The password never leaves `url`: messages and `location` use the address without it.
public final class PostgresJudgmentStore: JudgmentStore {
    /// The server's address (its description has no password).
    public let url: PostgresURL
    /// The address without its password.
    public var location: String { url.description }
    /// The calls in flight through this store value.
    public let flights = FlightTable()
    let link: PostgresLink
    private let counters = SessionCounters()
    let logger: Logger?
    /// Who holds a claim: host, process id and a random part, unique per store value.
    let owner: String
    let tables: PostgresTables

    /// The current schema; a database written by a newer llmrank is refused.
    static let schemaVersion = 2

    /// How long the connection may stay down before a call fails with `.storeUnavailable`.
    public static let defaultReconnectDeadline = Duration.seconds(60)

    /// Where replies that could not be written while the server was down wait (see
    /// `PostgresJudgmentStore+Spill`); nil: nowhere.
    let spill: URL?
    let spillLock = NSLock()

    private init(url: PostgresURL, link: PostgresLink, logger: Logger?, spill: URL?) {
        self.url = url
        self.link = link
        self.logger = logger
        self.spill = spill
        owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
        tables = PostgresTables(schema: url.schema)
    }

    /// Connects to `url` and creates or migrates the tables. A refused login, a missing database
    /// or an unreachable server is `.storeUnavailable`; a newer schema is `.cacheIncompatible`.
    /// `reconnectDeadline` overrides the URL's `reconnect`. With `spillDirectory`, replies that
    /// cannot be written while the server is down are kept in a file there and written at the
    /// next open (see `PostgresJudgmentStore+Spill`).
    public static func open(url: PostgresURL, reconnectDeadline: Duration? = nil, spillDirectory: URL? = nil,
                            logger: Logger? = nil) async throws -> PostgresJudgmentStore
    {
        let link = PostgresLink(url: url, reconnectDeadline: reconnectDeadline ?? url.reconnectDeadline, logger: logger)
        try await link.connect()
        let store = PostgresJudgmentStore(url: url, link: link, logger: logger, spill: spillDirectory.map { spillFile(in: $0, for: url) })
        do {
            try await store.migrate()
            try await store.writeSpilled()
        } catch {
            await link.close()
            throw error
        }
        return store
    }

    private func migrate() async throws {
        let version = try await link.run("create the tables") { [tables] db, logger in
            // One process at a time creates or migrates (CREATE IF NOT EXISTS races otherwise).
            try await db.query("SELECT pg_advisory_lock(\(PostgresTables.migrationLock))", logger: logger)
            // A session lock: released by the unlock below, or by the connection's end on failure.
            for statement in tables.creation { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            var found = 0
            let read: PostgresQuery = "SELECT COALESCE(MAX(version), 0)::bigint FROM \(unescaped: tables.version)"
            for try await (version) in try await db.query(read, logger: logger).decode(Int.self) { found = version }
            if found < Self.schemaVersion {
                try await db.query("DELETE FROM \(unescaped: tables.version)", logger: logger)
                try await db.query("INSERT INTO \(unescaped: tables.version) (version) VALUES (\(Self.schemaVersion))", logger: logger)
            }
            try await db.query("SELECT pg_advisory_unlock(\(PostgresTables.migrationLock))", logger: logger)
            return found
        }
        guard version <= Self.schemaVersion else {
            throw LLMRankError(.cacheIncompatible, "\(url): the judgment store was written by a newer llmrank (schema \(version), this one reads \(Self.schemaVersion))")
        }
    }

    // MARK: Reading and writing

    /// The usable reply for `key`, or nil; a row that cannot be read is nil too, and logged.
    public func get(key: String) async throws -> CachedReply? {
        let query: PostgresQuery = """
            SELECT response, model, endpoint, method_version, request, prompt_tokens, completion_tokens, latency_ms,
                created_at, hits FROM \(unescaped: tables.judgments) WHERE key = \(key)
            """
        let stored = try await link.run("look up a reply") { db, logger in
            var found: Result<StoredReply, UnreadableEntry>?
            for try await row in try await db.query(query, logger: logger) {
                found = Self.stored(row)
            }
            return found
        }
        let reply = StoredReply.usable(stored, key: key, location: location, logger: logger)
        counters.count(hit: reply != nil)
        return reply
    }

    /// Stores (or replaces) the reply for `key` in one statement.
    public func put(key: String, reply: CachedReply) async throws {
        let row = try StoredReply(reply, key: key, location: location)
        let query: PostgresQuery = """
            INSERT INTO \(unescaped: tables.judgments) (key, endpoint, model, method_version, response, request,
                prompt_tokens, completion_tokens, latency_ms, created_at, hits)
            VALUES (\(key), \(row.endpoint), \(row.model), \(row.methodVersion), \(row.response), \(row.requestBody),
                \(row.promptTokens), \(row.completionTokens), \(row.latencyMilliseconds), \(row.createdAt), \(row.hits))
            ON CONFLICT (key) DO UPDATE SET endpoint = EXCLUDED.endpoint, model = EXCLUDED.model,
                method_version = EXCLUDED.method_version, response = EXCLUDED.response, request = EXCLUDED.request,
                prompt_tokens = EXCLUDED.prompt_tokens, completion_tokens = EXCLUDED.completion_tokens,
                latency_ms = EXCLUDED.latency_ms, created_at = EXCLUDED.created_at, hits = EXCLUDED.hits,
                last_hit_at = NULL
            """
        do {
            try await execute("store a reply", query)
        } catch let error as LLMRankError where error.kind == .storeUnavailable {
            // Paid for and not stored: kept on disk for the next open, then the run stops.
            keepSpilled(key: key, reply: reply)
            throw error
        }
    }

    /// Counts a hit on `key` (for `cache stats`). A missing key is not an error.
    public func recordHit(key: String, at date: Date) async throws {
        try await execute("count a hit", """
            UPDATE \(unescaped: tables.judgments) SET hits = hits + 1, last_hit_at = \(date.timeIntervalSince1970)
            WHERE key = \(key)
            """)
    }

    // MARK: Whole-store operations

    /// Entry count, sizes, hits, tokens and dates of the whole store, plus this value's lookups.
    public func stats() async throws -> CacheStats {
        let totals = try await link.run("read statistics") { [tables] db, logger in
            try await PostgresStoreTotals.read(db, tables: tables, logger: logger)
        }
        return totals.stats(location: location, fileBytes: 0, session: counters)
    }

    /// Deletes entries: all of them, or those created before `olderThan`. Returns how many.
    @discardableResult
    public func clear(olderThan: Date?) async throws -> Int {
        let query: PostgresQuery = olderThan.map { date in
            "WITH gone AS (DELETE FROM \(unescaped: tables.judgments) WHERE created_at < \(date.timeIntervalSince1970) RETURNING 1) SELECT COUNT(*) FROM gone"
        } ?? "WITH gone AS (DELETE FROM \(unescaped: tables.judgments) RETURNING 1) SELECT COUNT(*) FROM gone"
        return try await link.run("clear the judgment store") { db, logger in
            var count = 0
            for try await (n) in try await db.query(query, logger: logger).decode(Int.self) { count = n }
            return count
        }
    }

    /// Every key stored, sorted.
    public func keys() async throws -> [String] {
        let query: PostgresQuery = "SELECT key FROM \(unescaped: tables.judgments) ORDER BY key COLLATE \"C\""
        return try await link.run("list keys") { db, logger in
            var keys: [String] = []
            for try await (key) in try await db.query(query, logger: logger).decode(String.self) {
                keys.append(key)
            }
            return keys
        }
    }

    /// A page of entries in key order (bytewise, `COLLATE "C"`), for export.
    public func entries(after key: String?, limit: Int) async throws -> [(key: String, reply: CachedReply?)] {
        let query: PostgresQuery = """
            SELECT key, response, model, endpoint, method_version, request, prompt_tokens, completion_tokens, latency_ms,
                created_at, hits FROM \(unescaped: tables.judgments)
            WHERE key COLLATE "C" > \(key ?? "") ORDER BY key COLLATE "C" LIMIT \(max(0, limit))
            """
        return try await link.run("read entries") { db, logger in
            var page: [(key: String, reply: CachedReply?)] = []
            for try await row in try await db.query(query, logger: logger) {
                let columns = row.makeRandomAccess()
                let key = (try? columns[0].decode(String.self)) ?? ""
                page.append((key: key, reply: try? Self.stored(row, from: 1).flatMap { $0.decoded() }.get()))
            }
            return page
        }
    }

    /// Closes the connection; later calls fail with `.cache`.
    public func close() async {
        await link.close()
    }

    // MARK: Helpers

    /// Runs one statement, ignoring its rows.
    func execute(_ what: String, _ query: PostgresQuery) async throws {
        try await link.run(what) { db, logger in
            try await db.query(query, logger: logger)
        }
    }

    /// A row in the stored shape, or why it cannot be read.
    private static func stored(_ row: PostgresRow, from first: Int = 0) -> Result<StoredReply, UnreadableEntry> {
        do {
            let c = row.makeRandomAccess()
            let response = try c[first].decode(String.self), model = try c[first + 1].decode(String.self)
            let endpoint = try c[first + 2].decode(String.self), method = try c[first + 3].decode(String.self)
            let request = try c[first + 4].decode(String?.self)
            let prompt = try c[first + 5].decode(Int.self), completion = try c[first + 6].decode(Int.self)
            let latency = try c[first + 7].decode(Double.self), created = try c[first + 8].decode(Double.self)
            let hits = try c[first + 9].decode(Int.self)
            return .success(StoredReply(
                response: response, model: model, endpoint: endpoint, methodVersion: method, requestBody: request,
                promptTokens: prompt, completionTokens: completion, latencyMilliseconds: latency,
                createdAt: created, hits: hits))
        } catch {
            return .failure(UnreadableEntry(reason: String(reflecting: error)))
        }
    }
}
