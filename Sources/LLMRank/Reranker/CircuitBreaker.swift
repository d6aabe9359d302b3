import Synchronization

extension LLMRankError.Kind {
    /// The endpoint failed call after call (unreachable, 5xx or 429 after every retry, replies that
    /// are not chat completions) and answered none: the run stops instead of flagging every document.
    public static let endpointUnavailable = LLMRankError.Kind(rawValue: "endpoint-unavailable")
}

/// The run-level failure policy of a reranker's endpoint. A failed call is a flag on its document
/// (the judge goes on), until `threshold` calls in a row have failed with no success in between:
/// then the breaker opens and every call fails at once with `.endpointUnavailable`, which ends the
/// run. After `cooldown` one trial call is let through (a long-lived server recovers when the
/// endpoint does). A call that the endpoint answered, even with a refusal of its content (400), is
/// not a failure of the endpoint.
final class CircuitBreaker: Sendable {
    private struct State {
        var successes = 0
        var failures = 0
        var consecutive = 0
        var last: LLMRankError?
        var openedAt: ContinuousClock.Instant?
    }

    /// Consecutive failed calls that open the breaker.
    let threshold: Int
    /// How long an open breaker refuses calls before it lets one through.
    let cooldown: Duration
    /// Where the calls go, for the error line.
    let location: String
    private let state = Mutex(State())

    init(location: String, threshold: Int = 5, cooldown: Duration = .seconds(30)) {
        self.location = location
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
    }

    /// Throws `.endpointUnavailable` while the breaker is open.
    func admit(now: ContinuousClock.Instant = .now) throws {
        try state.withLock { s in
            guard let opened = s.openedAt else { return }
            if now - opened >= cooldown {
                s.openedAt = nil
                s.consecutive = threshold - 1          // one trial call: a failure opens it again
                return
            }
            throw unavailable(s)
        }
    }

    /// Records the outcome of one call that went to the endpoint.
    func record(_ outcome: Result<Void, any Error>, now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            switch outcome {
            case .success:
                s.successes += 1
                s.consecutive = 0
            case .failure(let error):
                guard let error = error as? LLMRankError, Self.isEndpointFailure(error) else { return }
                s.failures += 1
                s.consecutive += 1
                s.last = error
                if s.consecutive >= threshold { s.openedAt = now }
            }
        }
    }

    /// The error to end a run with when every call so far failed (nil once any call succeeded).
    var failedWithoutSuccess: LLMRankError? {
        state.withLock { s in s.successes == 0 && s.failures > 0 ? unavailable(s) : nil }
    }

    private func unavailable(_ s: State) -> LLMRankError {
        let cause = s.last?.message ?? "no reply"
        let count = s.failures == 1 ? "1 call" : "\(s.failures) calls"
        return LLMRankError(.endpointUnavailable, "cannot use the endpoint \(location): \(count) failed and none succeeded; last: \(cause)",
                            status: s.last?.status)
    }

    /// Failures that say the endpoint is down or broken, not that one request was refused.
    static func isEndpointFailure(_ error: LLMRankError) -> Bool {
        switch error.kind {
        case .transport, .timeout, .badReply: true
        case .http: error.status.map { $0 == 408 || $0 == 429 || $0 >= 500 } ?? true
        default: false
        }
    }
}
