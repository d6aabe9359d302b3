import LLMRank
import Prometheus

/// The server's Prometheus metrics, in a registry of its own (no process-wide bootstrap, so several
/// servers in one process, as in tests, keep theirs apart). `GET /metrics` prints them.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let inflight: Gauge
    private let rejected: Counter

    init() {
        inflight = registry.makeGauge(descriptor: Self.name("inflight_requests", unit: "", "Rerank requests running now (the admission queue's depth)."))
        rejected = registry.makeCounter(descriptor: Self.name("admission_rejected", unit: "total", "Requests refused with 429 by admission control."))
    }

    private static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "llmrank", metricName: metric, unitName: unit, helpText: help)
    }

    /// One request done: by route and status, and its latency by route.
    func request(route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", "HTTP requests by route and status."),
                             labels: [("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", unit: "seconds", "Request latency by route."),
                                       labels: [("route", route)], buckets: Self.buckets).record(duration)
    }

    /// What one rerank cost: LLM calls, cache hits, tokens, fallbacks and documents, by profile.
    func rerank(profile: String, trace: Trace, documents: Int) {
        let labels = [("profile", profile)]
        registry.makeCounter(descriptor: Self.name("llm_calls", unit: "total", "LLM calls that reached the endpoint."), labels: labels)
            .increment(by: Int64(trace.paidCalls))
        registry.makeCounter(descriptor: Self.name("cache_hits", unit: "total", "LLM calls answered from the judgment cache."), labels: labels)
            .increment(by: Int64(trace.cacheHits))
        let usage = trace.usage
        let tokens = Self.name("tokens", unit: "total", "Tokens the endpoint reported, by kind.")
        registry.makeCounter(descriptor: tokens, labels: labels + [("kind", "prompt")]).increment(by: Int64(usage.promptTokens))
        registry.makeCounter(descriptor: tokens, labels: labels + [("kind", "completion")]).increment(by: Int64(usage.completionTokens))
        registry.makeCounter(descriptor: Self.name("fallbacks", unit: "total", "Judgments that ended in a fallback."), labels: labels)
            .increment(by: Int64(trace.calls.filter(\.fallback).count))
        registry.makeCounter(descriptor: Self.name("documents", unit: "total", "Documents reranked."), labels: labels)
            .increment(by: Int64(documents))
    }

    func admitted() { inflight.increment() }
    func finished() { inflight.decrement() }
    func refused() { rejected.increment() }

    /// The text exposition format.
    var text: String { registry.emitToString() }

    static let buckets: [Duration] = [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60)]
}
