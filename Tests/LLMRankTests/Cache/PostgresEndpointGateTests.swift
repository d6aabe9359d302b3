import Foundation
import Logging
import Synchronization
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// Politeness shared through the PostgreSQL store: two clients, each with its own store connection
/// (as two processes have), against one endpoint. The assertions are lower bounds on the gaps
/// between arrivals at the endpoint, which a busy machine only widens.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PostgresEndpointGateTests {
    /// Arrival times at the stub, in order.
    final class Arrivals: Sendable {
        let times = Mutex<[(ContinuousClock.Instant, String)]>([])
        func record(_ text: String) { times.withLock { $0.append((ContinuousClock.now, text)) } }
        var all: [(ContinuousClock.Instant, String)] { times.withLock { $0 } }
    }

    static func client(_ server: StubLLMServer, gate: any EndpointGate) -> ChatClient {
        var config = ChatClientTests.configuration(server)
        config.maxAttempts = 3
        return ChatClient(configuration: config, logger: ChatClientTests.quiet, gate: gate)
    }

    static func request(_ text: String) -> ChatRequest {
        ChatRequest(model: "m", messages: [.user(text)], temperature: 0, maxTokens: 4)
    }

    @Test(.needsPostgres)
    func aRetryAfterOneProcessGetsHoldsTheOthers() async throws {
        let arrivals = Arrivals()
        let refused = Mutex(false)
        let stub = try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            arrivals.record(text)
            // The first request is told to come back in 2 s; everything else is answered.
            let first = refused.withLock { done -> Bool in
                defer { done = true }
                return !done
            }
            return first ? StubLLMServer.error(429, "slow down", headers: ["Retry-After": "2"]) : StubLLMServer.reply("ok")
        }
        let url = try PostgresURL(TestPostgres.freshURL())
        let storeA = try await PostgresJudgmentStore.open(url: url), storeB = try await PostgresJudgmentStore.open(url: url)
        let a = Self.client(stub, gate: PostgresEndpointGate(store: storeA))
        let b = Self.client(stub, gate: PostgresEndpointGate(store: storeB))
        async let first = a.complete(Self.request("from A"))
        // B asks once A has been refused and has recorded the hold.
        #expect(try await eventually(within: .seconds(30)) { arrivals.all.count >= 1 })
        let refusedAt = arrivals.all[0].0
        let gateB = PostgresEndpointGate(store: storeB)
        let deadline = ContinuousClock.now + .seconds(30)
        while try await gateB.holdRemaining(a.endpointIdentity) <= 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await b.complete(Self.request("from B"))
        _ = try await first
        let all = arrivals.all
        #expect(all.map(\.1).filter { $0 == "from A" }.count == 2)
        let bArrival = try #require(all.first { $0.1 == "from B" }?.0)
        // B waited out the hold A was given (2 s, less the server clock's rounding).
        #expect(bArrival - refusedAt >= .milliseconds(1900), "B arrived \(bArrival - refusedAt) after A's 429")
        await a.shutdown()
        await b.shutdown()
        await TestPostgres.drop(storeA)
        await storeA.close()
        await storeB.close()
    }

    @Test(.needsPostgres)
    func aSharedRateSpacesTheRequestsOfAllProcesses() async throws {
        let arrivals = Arrivals()
        let stub = try StubLLMServer { req in
            arrivals.record(req.lastUserMessage ?? "")
            return StubLLMServer.reply("ok")
        }
        let url = try PostgresURL(TestPostgres.freshURL())
        let storeA = try await PostgresJudgmentStore.open(url: url), storeB = try await PostgresJudgmentStore.open(url: url)
        // 240 a minute together: one request every 250 ms.
        let a = Self.client(stub, gate: PostgresEndpointGate(store: storeA, requestsPerMinute: 240))
        let b = Self.client(stub, gate: PostgresEndpointGate(store: storeB, requestsPerMinute: 240))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4 {
                group.addTask { _ = try await a.complete(Self.request("A\(i)")) }
                group.addTask { _ = try await b.complete(Self.request("B\(i)")) }
            }
            try await group.waitForAll()
        }
        let times = arrivals.all.map(\.0).sorted()
        #expect(times.count == 8)
        // The k-th request's slot is k x 250 ms after the first, which came no earlier than the
        // start: a late request may bunch up with the next, but none goes before its slot (30 ms
        // allowed for the server's clock against ours).
        let offsets = times.map { $0 - start }
        for (k, offset) in offsets.enumerated() {
            #expect(offset >= .milliseconds(250 * k - 30), "request \(k) at \(offset) of \(offsets)")
        }
        await a.shutdown()
        await b.shutdown()
        await TestPostgres.drop(storeA)
        await storeA.close()
        await storeB.close()
    }

    @Test func aSharedRateNeedsAPostgresStore() throws {
        var configuration = RerankerConfiguration(store: .default)
        configuration.endpoint.sharedRequestsPerMinute = 60
        let error = #expect(throws: LLMRankError.self) { try configuration.validate() }
        #expect(error?.message == "endpoint.max_rpm: a limit shared by processes needs a PostgreSQL store (rpm limits one process)")
    }
}
