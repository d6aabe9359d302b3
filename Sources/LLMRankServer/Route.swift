/// The server's routes: a path, the method it answers, and what it does. A path that is not here is
/// a 404; a known path with another method is a 405 naming the allowed one.
enum Route: String, Sendable, CaseIterable {
    case v1Rerank = "/v1/rerank"
    case rerank = "/rerank"
    case v1Reranking = "/v1/reranking"
    case v2Rerank = "/v2/rerank"
    case native = "/llmrank/v1/rerank"
    case models = "/v1/models"
    case health = "/health"
    case ready = "/ready"
    case metrics = "/metrics"
    case openAPI = "/openapi.yaml"

    /// The route of a request path (a trailing slash is ignored).
    init?(path: String) {
        var path = path
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        self.init(rawValue: path)
    }

    /// The one method the route answers.
    var method: String {
        switch self {
        case .v1Rerank, .rerank, .v1Reranking, .v2Rerank, .native: "POST"
        case .models, .health, .ready, .metrics, .openAPI: "GET"
        }
    }

    /// Whether the route reranks (so it takes an admission slot and reads a body).
    var reranks: Bool { method == "POST" }

    /// Liveness needs no key, so a load balancer can probe it.
    var needsKey: Bool { self != .health }
}
