import LLMRank

/// `GET /ready`: every profile loaded (the server only answers once they are) and every judge's
/// endpoint answering a one-call `EndpointProbe.ping`. The outcome is kept for `ttl`, so a load
/// balancer polling `/ready` costs one probe per profile per `ttl`, not one per request; callers
/// that arrive while a probe runs wait for that probe.
actor Readiness {
    private let profiles: ServedProfiles
    private let ttl: Duration
    private let timeout: Duration
    private var last: (at: ContinuousClock.Instant, reasons: [String])?
    private var running: Task<[String], Never>?

    init(profiles: ServedProfiles, ttl: Duration, timeout: Duration = .seconds(5)) {
        self.profiles = profiles
        self.ttl = ttl
        self.timeout = timeout
    }

    /// Why the server is not ready, one line per profile whose endpoint fails; empty: ready.
    func reasons() async -> [String] {
        if let last, ContinuousClock.now - last.at < ttl { return last.reasons }
        if let running { return await running.value }
        let profiles = self.profiles, timeout = self.timeout
        let task = Task { await Self.probe(profiles, timeout: timeout) }
        running = task
        let reasons = await task.value
        last = (ContinuousClock.now, reasons)
        running = nil
        return reasons
    }

    private static func probe(_ profiles: ServedProfiles, timeout: Duration) async -> [String] {
        var reasons: [String] = []
        for name in profiles.names {
            guard let entry = profiles.entries[name], let report = await entry.reranker.probeEndpoint(timeout: timeout),
                  let fatal = report.fatal
            else { continue }
            reasons.append("profile \(name): endpoint \(entry.reranker.endpointLocation ?? report.baseURL) is not answering: \(fatal.message)")
        }
        return reasons
    }
}
