/// Client-side token buckets for requests per minute and tokens per minute. A request waits until
/// both buckets hold enough; each bucket holds at most one minute's allowance, so a burst after an
/// idle period is bounded by the limit itself.
///
/// Time comes from an injected clock (the continuous clock in use, a manual one in tests), so the
/// waits are exact and testable without wall-clock bounds.
actor RateLimiter<C: Clock> where C.Duration == Duration {
    private struct Bucket {
        let perMinute: Double
        var level: Double
        var stamp: C.Instant

        mutating func refill(at now: C.Instant) {
            let elapsed = stamp.duration(to: now).seconds
            level = min(perMinute, level + elapsed * perMinute / 60)
            stamp = now
        }

        /// Seconds until `amount` is available (0 when it is).
        func wait(for amount: Double) -> Double {
            let need = min(amount, perMinute) - level
            return need <= 0 ? 0 : need * 60 / perMinute
        }
    }

    private var requests: Bucket?
    private var tokens: Bucket?
    private let clock: C

    /// Buckets that start full; nil for a limit means none.
    init(requestsPerMinute: Double?, tokensPerMinute: Double?, clock: C) {
        self.clock = clock
        let now = clock.now
        requests = requestsPerMinute.map { Bucket(perMinute: $0, level: $0, stamp: now) }
        tokens = tokensPerMinute.map { Bucket(perMinute: $0, level: $0, stamp: now) }
    }

    /// Waits until one request of about `tokenEstimate` tokens fits, then takes it from the buckets.
    func acquire(tokenEstimate: Int) async throws {
        while true {
            let now = clock.now
            requests?.refill(at: now)
            tokens?.refill(at: now)
            let wait = max(requests?.wait(for: 1) ?? 0, tokens?.wait(for: Double(tokenEstimate)) ?? 0)
            if wait <= 0 {
                requests?.level -= 1
                if let t = tokens { tokens?.level -= min(Double(tokenEstimate), t.perMinute) }
                return
            }
            try await clock.sleep(until: now.advanced(by: .milliseconds(Int((wait * 1000).rounded(.up)))), tolerance: nil)
        }
    }

    /// Settles the token bucket once the real usage is known.
    func settle(estimated: Int, actual: Int) {
        guard let t = tokens else { return }
        tokens?.level = min(t.perMinute, t.level - Double(actual - estimated))
    }
}

extension RateLimiter where C == ContinuousClock {
    /// Buckets on the continuous clock.
    init(requestsPerMinute: Double?, tokensPerMinute: Double?) {
        self.init(requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute, clock: ContinuousClock())
    }
}
