/// Politeness toward an endpoint that several processes share: when one is told to wait (a 429
/// with `Retry-After`), every process waits; with a shared requests-per-minute limit, the
/// processes together keep to it. `ChatClient` asks the gate before every attempt and tells it of
/// every wait the server asks for. The PostgreSQL judgment store provides one
/// (`PostgresEndpointGate`); without a gate each process is polite on its own.
public protocol EndpointGate: Sendable {
    /// Returns when a request to `endpoint` (an endpoint identity: host and path) may be sent:
    /// after any hold on it and, with a shared limit, at this request's turn.
    func awaitTurn(endpoint: String) async throws

    /// Records that `endpoint` asked for a wait of `wait` from now: every process holds its
    /// requests to it until then.
    func hold(endpoint: String, for wait: Duration) async throws
}
