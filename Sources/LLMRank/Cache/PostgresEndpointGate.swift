import Foundation
import PostgresNIO

/// The `EndpointGate` of processes sharing a PostgreSQL judgment store, in its
/// `llmrank_endpoints` table (one row per endpoint identity; times are the server's clock, so
/// the machines' clocks need not agree).
///
/// - **Holds**: a 429 with `Retry-After` sets `hold_until` (never earlier than it was); every
///   process reads it before each attempt and waits it out.
/// - **Shared rate** (`requestsPerMinute`): each attempt reserves the next free slot,
///   `next_slot = max(next_slot, now, hold_until) + 60 s / rate`, in one statement, and waits until
///   its slot: the processes together send at most the rate, evenly spaced, whatever their number.
///   A reserved slot that is not used (its caller cancelled) is lost, which only slows the rest.
public struct PostgresEndpointGate: EndpointGate {
    /// The store whose connection and tables it uses.
    public let store: PostgresJudgmentStore
    /// Requests per minute for all processes together; nil for holds only.
    public let requestsPerMinute: Double?

    /// A gate on `store`'s server, with a shared limit when `requestsPerMinute` is given.
    public init(store: PostgresJudgmentStore, requestsPerMinute: Double? = nil) {
        self.store = store
        self.requestsPerMinute = requestsPerMinute.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
    }

    /// Waits out the endpoint's hold and, with a shared limit, until this request's slot.
    public func awaitTurn(endpoint: String) async throws {
        var wait = try await reserve(endpoint)
        // A hold set after the slot was reserved still applies: read it again after each wait.
        while wait > 0 {
            try await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up))))
            wait = try await holdRemaining(endpoint)
        }
    }

    /// Holds every process's requests to `endpoint` for `wait` from now.
    public func hold(endpoint: String, for wait: Duration) async throws {
        let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        try await store.execute("hold an endpoint", """
            INSERT INTO \(unescaped: store.tables.endpoints) (endpoint, hold_until)
            VALUES (\(endpoint), extract(epoch FROM clock_timestamp()) + \(seconds))
            ON CONFLICT (endpoint) DO UPDATE SET hold_until = GREATEST(\(unescaped: store.tables.endpoints).hold_until, EXCLUDED.hold_until)
            """)
    }

    /// Seconds to wait before the request may go: its reserved slot under the shared limit, else
    /// the remaining hold (0 or less: none).
    private func reserve(_ endpoint: String) async throws -> Double {
        guard let rate = requestsPerMinute else { return try await holdRemaining(endpoint) }
        let interval = 60 / rate
        let table = store.tables.endpoints
        let query: PostgresQuery = """
            INSERT INTO \(unescaped: table) (endpoint, next_slot)
            VALUES (\(endpoint), extract(epoch FROM clock_timestamp()) + \(interval))
            ON CONFLICT (endpoint) DO UPDATE SET next_slot = GREATEST(\(unescaped: table).next_slot,
                extract(epoch FROM clock_timestamp()), \(unescaped: table).hold_until) + \(interval)
            RETURNING next_slot - \(interval) - extract(epoch FROM clock_timestamp())
            """
        return try await single(query, "reserve a request slot")
    }

    /// Seconds left of `endpoint`'s hold (0 or less: none).
    func holdRemaining(_ endpoint: String) async throws -> Double {
        let query: PostgresQuery = """
            SELECT hold_until - extract(epoch FROM clock_timestamp()) FROM \(unescaped: store.tables.endpoints)
            WHERE endpoint = \(endpoint)
            """
        return try await single(query, "read an endpoint's hold")
    }

    private func single(_ query: PostgresQuery, _ what: String) async throws -> Double {
        try await store.link.run(what) { db, logger in
            var value = 0.0
            for try await (v) in try await db.query(query, logger: logger).decode(Double.self) { value = v }
            return value
        }
    }
}
