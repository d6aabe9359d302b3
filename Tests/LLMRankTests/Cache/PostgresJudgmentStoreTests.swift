import Foundation
import Testing
@testable import LLMRank

/// What the PostgreSQL store adds to the contract: its address, its errors (never the password),
/// and claims that keep two store values (two processes) from paying for the same request.
@Suite struct PostgresJudgmentStoreTests {
    @Test func addressesAreReadAndPrintedWithoutThePassword() throws {
        let url = try PostgresURL("postgresql://ann:s%40cret@db.example:6432/judge?sslmode=require&schema=team_a&lease=5")
        #expect(url.user == "ann" && url.password == "s@cret" && url.host == "db.example" && url.port == 6432)
        #expect(url.database == "judge" && url.sslMode == .require && url.schema == "team_a" && url.lease == .seconds(5))
        #expect(url.description == "postgres://ann@db.example:6432/judge?sslmode=require&schema=team_a")
        for bad in ["postgres://ann:pw@host:5432/", "postgres://ann:pw@host:port/db", "postgres://ann:pw@host/db?sslmode=verify-full",
                    "postgres://ann:pw@host/db?schema=Bad-Name", "postgres://ann:pw@host/db?colour=red"] {
            #expect { try PostgresURL(bad) } throws: { error in
                let error = error as? LLMRankError
                return error?.kind == .invalidInput && error?.message.contains("pw") == false
            }
        }
    }

    @Test(.needsPostgres) func aRefusedLoginIsOneLineWithoutThePassword() async throws {
        let good = try PostgresURL(try #require(TestPostgres.url))
        var wrong = good
        wrong.password = "hunter2-not-the-password"
        await #expect { try await PostgresJudgmentStore.open(url: wrong) } throws: { error in
            let error = error as? LLMRankError
            return error?.kind == .storeUnavailable && error?.message.contains("login refused") == true
                && !"\(String(describing: error)) \(error?.reason ?? "")".contains("hunter2")
        }
        var missing = good
        missing.database = "no_such_database"
        await #expect { try await PostgresJudgmentStore.open(url: missing) } throws: { error in
            (error as? LLMRankError)?.kind == .storeUnavailable && "\(error)".contains("no database no_such_database")
        }
    }

    @Test(.needsPostgres) func aClaimIsHeldUntilReleasedOrItsLeaseRunsOut() async throws {
        let text = try TestPostgres.freshURL() + "&lease=0.5"
        let first = try await PostgresJudgmentStore.open(url: try PostgresURL(text))
        let second = try await PostgresJudgmentStore.open(url: try PostgresURL(text))
        #expect(try await first.claim("k"))
        #expect(try await !second.claim("k"))  // held by another store value (another process)
        // The first holder stops renewing, as a SIGKILLed process would; after the lease the key is free.
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await second.claim("k"))
        #expect(try await !first.claim("k"))
        await TestPostgres.drop(first)
        await first.close()
        await second.close()
    }

    @Test(.needsPostgres, .timeLimit(.minutes(1))) func twoStoresPayOnceForOneRequest() async throws {
        let text = try TestPostgres.freshURL()
        let a = try await PostgresJudgmentStore.open(url: try PostgresURL(text))
        let b = try await PostgresJudgmentStore.open(url: try PostgresURL(text))
        let upstream = CountingUpstream(delay: .milliseconds(300))
        let clients = [a, b].map { CachedChat(upstream: upstream, store: $0, methodVersion: "pointwise/p/1") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { _ = try await client.complete(CacheFixtures.request(1)) } }
            try await group.waitForAll()
        }
        #expect(await upstream.callCount == 1)
        await TestPostgres.drop(a)
        await a.close()
        await b.close()
    }
}
