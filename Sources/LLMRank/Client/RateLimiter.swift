/// Client-side token buckets for requests per minute and tokens per minute. A request waits until
/// both buckets hold enough; each bucket holds at most one minute's allowance, so a burst after an
/// idle period is bounded by the limit itself.
actor RateLimiter {
    private struct Bucket {
        let perMinute: Double
        var level: Double
        var stamp: ContinuousClock.Instant

        mutating func refill(at now: ContinuousClock.Instant) {
            let elapsed = (now - stamp).seconds
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
    private let clock = ContinuousClock()

    init(requestsPerMinute: Double?, tokensPerMinute: Double?) {
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
            try await Task.sleep(for: .milliseconds(Int((wait * 1000).rounded(.up))))
        }
    }

    /// Settles the token bucket once the real usage is known.
    func settle(estimated: Int, actual: Int) {
        guard let t = tokens else { return }
        tokens?.level = min(t.perMinute, t.level - Double(actual - estimated))
    }
}
