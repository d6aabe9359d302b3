import Foundation
import PostgresNIO
import Testing
@testable import LLMRank

/// The PostgreSQL server of the tests: `LLMRANK_TEST_POSTGRES_URL` (`.ci/run` starts one with
/// `scripts/test-postgres start`). Unset outside CI, the PostgreSQL tests are skipped with the
/// reason shown; under CI (`CI=true`) they always run, so a missing server fails.
enum TestPostgres {
    static var url: String? { ProcessInfo.processInfo.environment["LLMRANK_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether the PostgreSQL tests run: with a server, and always under CI.
    static var testsRun: Bool { url != nil || SharedData.inCI }

    static var skipReason: Comment {
        "needs LLMRANK_TEST_POSTGRES_URL (run `scripts/test-postgres start` and export its URL; under CI=true this test runs and fails)"
    }

    /// The test server's address with a new schema of its own, so tests in parallel never meet.
    static func freshURL() throws -> String {
        guard let url else { throw LLMRankError(.setup, "LLMRANK_TEST_POSTGRES_URL is not set") }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// A store in a new schema.
    static func openStore() async throws -> PostgresJudgmentStore {
        try await PostgresJudgmentStore.open(url: try PostgresURL(freshURL()))
    }

    /// Drops the store's schema and everything in it.
    static func drop(_ store: PostgresJudgmentStore) async {
        try? await store.execute("drop the test schema", PostgresQuery(unsafeSQL: "DROP SCHEMA \(store.url.schema) CASCADE"))
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only with a PostgreSQL server, or under CI (where its absence fails).
    static var needsPostgres: Self { .enabled(if: TestPostgres.testsRun, TestPostgres.skipReason) }
}
