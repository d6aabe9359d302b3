import Foundation
import PostgresNIO

extension PostgresJudgmentStore {
    /// How long a process waits for another's claim on a key before giving up with `.timeout`
    /// (a live claimant renews its lease; this bounds the wait all the same).
    static let claimWaitLimit = Duration.seconds(900)

    /// Runs `operation` once for all callers of `key` in this process (`FlightTable`) and, across
    /// processes, only while holding the key's claim: a process that finds the key claimed waits
    /// until the claim is released or its lease runs out, then claims it and runs `operation`,
    /// which finds the reply the other process stored.
    public func singleFlight(key: String, _ operation: @escaping @Sendable () async throws -> FlightOutcome) async throws
        -> SharedFlight
    {
        try await flights.run(key: key) { [self] in
            try await claimed(key: key, operation)
        }
    }

    private func claimed(key: String, _ operation: @escaping @Sendable () async throws -> FlightOutcome) async throws
        -> FlightOutcome
    {
        let clock = ContinuousClock()
        let start = clock.now
        var pause = Duration.milliseconds(20)
        while try await !claim(key) {
            if clock.now - start > Self.claimWaitLimit {
                throw LLMRankError(.timeout, "\(url): another process held the claim on \(key) for over \(Self.claimWaitLimit)")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(500))
        }
        let renewal = Task { [self] in
            while !Task.isCancelled {
                try await Task.sleep(for: url.lease / 3)
                try await renew(key)
            }
        }
        defer { renewal.cancel() }
        do {
            let outcome = try await operation()
            renewal.cancel()
            try? await release(key)
            return outcome
        } catch {
            renewal.cancel()
            try? await release(key)
            throw error
        }
    }

    /// Takes the claim on `key` when nobody holds it or its holder's lease ran out.
    func claim(_ key: String) async throws -> Bool {
        let seconds = Double(url.lease.components.seconds) + Double(url.lease.components.attoseconds) / 1e18
        let query: PostgresQuery = """
            INSERT INTO \(unescaped: tables.claims) (key, owner, lease_until)
            VALUES (\(key), \(owner), clock_timestamp() + make_interval(secs => \(seconds)))
            ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
            WHERE \(unescaped: tables.claims).lease_until < clock_timestamp()
            RETURNING owner
            """
        return try await link.run("claim a request") { db, logger in
            var taken = false
            for try await _ in try await db.query(query, logger: logger) { taken = true }
            return taken
        }
    }

    private func renew(_ key: String) async throws {
        let seconds = Double(url.lease.components.seconds) + Double(url.lease.components.attoseconds) / 1e18
        try await execute("renew a claim", """
            UPDATE \(unescaped: tables.claims) SET lease_until = clock_timestamp() + make_interval(secs => \(seconds))
            WHERE key = \(key) AND owner = \(owner)
            """)
    }

    private func release(_ key: String) async throws {
        try await execute("release a claim", "DELETE FROM \(unescaped: tables.claims) WHERE key = \(key) AND owner = \(owner)")
    }
}
