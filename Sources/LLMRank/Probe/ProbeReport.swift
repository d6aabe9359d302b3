import Foundation

/// The outcome of probing an endpoint: one line per check, the capabilities, and latency.
public struct ProbeReport: Sendable {
    /// One line of the report.
    public struct Check: Sendable, Hashable {
        /// What was checked: `reachable`, `key accepted`, `chat`, `json_object`, ...
        public var name: String
        /// Whether the endpoint passed.
        public var ok: Bool
        /// What was seen: the reply, the error, the number of alternatives.
        public var detail: String
    }

    /// The endpoint probed.
    public var baseURL: String
    /// The model asked.
    public var model: String
    /// The checks, in the order they ran.
    public var checks: [Check] = []
    /// What the endpoint offers, as found.
    public var capabilities = EndpointCapabilities()
    /// Median latency of the plain chat calls.
    public var medianLatency: Duration?
    /// Set when the endpoint is unreachable or refuses the key or the model: the run cannot go on.
    public var fatal: LLMRankError?

    /// True when nothing fatal was found.
    public var ok: Bool { fatal == nil }
}
