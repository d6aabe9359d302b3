import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL store's tables, qualified by the URL's schema, and the statements that create
/// them (schema version 2: version 1 plus `llmrank_endpoints`). Columns match the SQLite store's; dates are seconds since 1970.
struct PostgresTables: Sendable {
    /// The schema's version, one row.
    let version: String
    /// One row per judgment.
    let judgments: String
    /// One row per key being fetched by some process, with its lease.
    let claims: String
    /// One row per endpoint: until when every process holds its requests (a 429's Retry-After),
    /// and the next free slot under a shared requests-per-minute limit (schema version 2).
    let endpoints: String
    let creation: [String]

    /// The advisory lock held while tables are created or migrated.
    static let migrationLock = 7_351_001

    init(schema: String) {
        version = "\(schema).llmrank_schema_version"
        judgments = "\(schema).llmrank_judgments"
        claims = "\(schema).llmrank_claims"
        endpoints = "\(schema).llmrank_endpoints"
        creation = [
            "CREATE SCHEMA IF NOT EXISTS \(schema)",
            "CREATE TABLE IF NOT EXISTS \(version) (version INTEGER NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS \(judgments) (
                key TEXT PRIMARY KEY,
                endpoint TEXT NOT NULL,
                model TEXT NOT NULL,
                method_version TEXT NOT NULL,
                response TEXT NOT NULL,
                request TEXT,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                latency_ms DOUBLE PRECISION NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                hits BIGINT NOT NULL DEFAULT 0,
                last_hit_at DOUBLE PRECISION
            )
            """,
            "CREATE INDEX IF NOT EXISTS llmrank_judgments_created_at ON \(judgments) (created_at)",
            """
            CREATE TABLE IF NOT EXISTS \(claims) (
                key TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                lease_until TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS \(endpoints) (
                endpoint TEXT PRIMARY KEY,
                hold_until DOUBLE PRECISION NOT NULL DEFAULT 0,
                next_slot DOUBLE PRECISION NOT NULL DEFAULT 0
            )
            """,
        ]
    }
}

/// The whole-store aggregates behind `stats()`.
struct PostgresStoreTotals: Sendable, StoreTotalsReading {
    var entries = 0, hits = 0, payload: Int64 = 0
    var stored = Usage(), saved = Usage()
    var oldest: Double?, newest: Double?
    var byModel: [String: Int] = [:], byMethod: [String: Int] = [:]

    static func read(_ db: PostgresConnection, tables: PostgresTables, logger: Logger) async throws -> Self {
        var totals = Self()
        let sums: PostgresQuery = """
            SELECT COUNT(*)::bigint, COALESCE(SUM(hits), 0)::bigint,
                   COALESCE(SUM(OCTET_LENGTH(response) + COALESCE(OCTET_LENGTH(request), 0)), 0)::bigint,
                   COALESCE(SUM(prompt_tokens), 0)::bigint, COALESCE(SUM(completion_tokens), 0)::bigint,
                   COALESCE(SUM(hits * prompt_tokens), 0)::bigint, COALESCE(SUM(hits * completion_tokens), 0)::bigint,
                   MIN(created_at), MAX(created_at)
            FROM \(unescaped: tables.judgments)
            """
        for try await (n, hits, payload, pt, ct, spt, sct, oldest, newest) in try await db.query(sums, logger: logger)
            .decode((Int, Int, Int64, Int, Int, Int, Int, Double?, Double?).self)
        {
            totals.entries = n
            totals.hits = hits
            totals.payload = payload
            totals.stored = Usage(promptTokens: pt, completionTokens: ct)
            totals.saved = Usage(promptTokens: spt, completionTokens: sct)
            totals.oldest = oldest
            totals.newest = newest
        }
        let models: PostgresQuery = "SELECT model, COUNT(*)::bigint FROM \(unescaped: tables.judgments) GROUP BY model"
        for try await (model, n) in try await db.query(models, logger: logger).decode((String, Int).self) {
            totals.byModel[model] = n
        }
        let methods: PostgresQuery = "SELECT method_version, COUNT(*)::bigint FROM \(unescaped: tables.judgments) GROUP BY method_version"
        for try await (method, n) in try await db.query(methods, logger: logger).decode((String, Int).self) {
            totals.byMethod[method] = n
        }
        return totals
    }
}
