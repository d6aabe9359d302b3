import Testing
@testable import LLMRank

/// The token buckets on a manual clock: waits are exact, with no wall-clock bounds.
@Suite(.timeLimit(.minutes(1))) struct RateLimiterTests {
    /// Starts `acquire(tokenEstimate:)` in a task and returns once it has either finished or gone
    /// to sleep on the clock.
    static func acquire(_ limiter: RateLimiter<ManualClock>, clock: ManualClock, tokens: Int,
                        sleepersBefore: Int = 0) async -> Task<Void, any Error>
    {
        let task = Task { try await limiter.acquire(tokenEstimate: tokens) }
        await clock.waitForSleepers(sleepersBefore + 1)
        return task
    }

    @Test func aFullBucketLetsARequestThroughAtOnce() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: nil, tokensPerMinute: 600, clock: clock)  // 10 tokens a second
        try await limiter.acquire(tokenEstimate: 600)  // the whole minute's allowance, without sleeping
        #expect(clock.now == ManualClock.Instant(offset: .zero))
        #expect(clock.sleeping == 0)
    }

    /// Limits, what is taken first, and the next request that must wait exactly `wait`.
    struct Wait: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var requestsPerMinute: Double?
        var tokensPerMinute: Double?
        var first: [Int]
        var next: Int
        var wait: Duration
    }

    static let waits = [
        Wait(testDescription: "tokens: 5 of 10 a second", requestsPerMinute: nil, tokensPerMinute: 600,
             first: [600], next: 5, wait: .milliseconds(500)),
        Wait(testDescription: "requests: one per 30 s", requestsPerMinute: 2, tokensPerMinute: nil,
             first: [1, 1], next: 1, wait: .seconds(30)),
        // The token bucket refills 10 tokens in 1 s, the request bucket one request in 60 s.
        Wait(testDescription: "both: the slower bucket decides", requestsPerMinute: 1, tokensPerMinute: 600,
             first: [600], next: 10, wait: .seconds(60)),
    ]

    @Test(arguments: waits)
    func theNextRequestWaitsExactlyForTheRefill(_ c: Wait) async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: c.requestsPerMinute, tokensPerMinute: c.tokensPerMinute, clock: clock)
        for tokens in c.first { try await limiter.acquire(tokenEstimate: tokens) }  // what the buckets held
        #expect(clock.sleeping == 0)
        let next = await Self.acquire(limiter, clock: clock, tokens: c.next)
        clock.advance(by: c.wait - .milliseconds(1))
        #expect(clock.sleeping == 1)  // not yet
        clock.advance(by: .milliseconds(1))
        try await next.value
        #expect(clock.sleeping == 0)
    }

    @Test func settlingRealUsageReturnsOverestimatedTokens() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: nil, tokensPerMinute: 600, clock: clock)
        try await limiter.acquire(tokenEstimate: 600)
        await limiter.settle(estimated: 600, actual: 100)  // 500 tokens back in the bucket
        try await limiter.acquire(tokenEstimate: 500)  // fits without sleeping
        #expect(clock.sleeping == 0)
        #expect(clock.now == ManualClock.Instant(offset: .zero))
    }

    @Test func aCancelledWaitEndsWithCancellation() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: 1, tokensPerMinute: nil, clock: clock)
        try await limiter.acquire(tokenEstimate: 1)
        let waiting = await Self.acquire(limiter, clock: clock, tokens: 1)
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(clock.sleeping == 0)
    }
}
