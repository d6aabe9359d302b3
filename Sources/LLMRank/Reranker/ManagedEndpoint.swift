import Foundation
import Logging

/// The endpoint a `Reranker` judges with, owned for the reranker's lifetime. The embedded
/// llama-server starts at the first call that needs it (an encoder-only query or an empty list never
/// starts it), once, however many calls arrive together; `shutdown()` stops it.
final class ManagedEndpoint: ChatCompleting {
    /// The cache name of the endpoint: `llmrank-local/<model>` for the embedded server (it outlives
    /// the random port), else the client's scheme-less host and path.
    let endpointIdentity: String
    /// The model sent with each request.
    let model: String
    /// Where requests go, for `-v` and errors: the base URL (password redacted) or "local".
    let location: String
    private let connection: Connection
    /// Ends the run when the endpoint fails call after call.
    let breaker: CircuitBreaker

    /// The two kinds of endpoint.
    private enum Connection: Sendable {
        case remote(ChatClient)
        case local(LocalStarter)
    }

    /// `gate`: politeness shared with other processes, for a remote endpoint (the embedded server
    /// is each process's own).
    init(settings: EndpointSettings, environment: [String: String], logger: Logger, gate: (any EndpointGate)? = nil) throws {
        if settings.usesLocalServer(environment: environment) {
            let local = LocalLLMConfiguration(environment: environment)
            try local.validate()
            model = settings.model ?? local.modelName
            endpointIdentity = "llmrank-local/\(local.modelName)"
            location = EndpointSettings.local
            connection = .local(LocalStarter(configuration: local, settings: settings, logger: logger))
            breaker = CircuitBreaker(location: "local llama-server (\(local.modelName))")
        } else {
            let client = ChatClient(configuration: settings.clientConfiguration(environment: environment), logger: logger, gate: gate)
            model = settings.remoteModel(environment: environment)
            endpointIdentity = client.endpointIdentity
            location = EndpointSettings.redactingPassword(client.configuration.baseURL)
            connection = .remote(client)
            breaker = CircuitBreaker(location: location)
        }
    }

    /// The client, starting the embedded server on first use.
    func client() async throws -> ChatClient {
        switch connection {
        case .remote(let client): client
        case .local(let starter): try await starter.client()
        }
    }

    func complete(_ request: ChatRequest) async throws -> ChatResult {
        try breaker.admit()
        do {
            let result = try await client().complete(request)
            breaker.record(.success(()))
            return result
        } catch {
            breaker.record(.failure(error))
            throw error
        }
    }

    /// Shuts the client down and stops the embedded server when it was started. Safe to call
    /// more than once.
    func shutdown() async {
        switch connection {
        case .remote(let client): await client.shutdown()
        case .local(let starter): await starter.stop()
        }
    }
}

/// Starts the embedded server once and hands out its client.
private actor LocalStarter {
    let configuration: LocalLLMConfiguration
    let settings: EndpointSettings
    let logger: Logger
    private var starting: Task<(LocalLLMServer, ChatClient), any Error>?
    private var stopped = false

    init(configuration: LocalLLMConfiguration, settings: EndpointSettings, logger: Logger) {
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
    }

    func client() async throws -> ChatClient {
        if stopped { throw LLMRankError(.cancelled, "the reranker was shut down") }
        if starting == nil {
            let configuration = configuration, settings = settings, logger = logger
            starting = Task {
                let server = try await LocalLLMServer.start(configuration: configuration, logger: logger)
                // No more requests in flight than the server has slots: the rest would queue inside
                // llama-server with the attempt timeout running, and on a loaded machine time out and
                // be sent again (seen in bench/local-judge); in the client's queue they wait for free.
                var client = settings.applyLimits(to: server.clientConfiguration())
                client.maxConcurrency = min(client.maxConcurrency, configuration.parallel)
                return (server, ChatClient(configuration: client, logger: logger))
            }
        }
        return try await starting!.value.1
    }

    func stop() async {
        stopped = true
        guard let starting else { return }
        if let (server, client) = try? await starting.value {
            await client.shutdown()
            await server.stop()
        }
    }
}

extension EndpointSettings {
    /// Runs `body` with a client for the endpoint these settings choose and the model to name,
    /// starting the embedded server first when they choose it and always stopping it afterwards
    /// (`llmrank doctor` probes an endpoint this way).
    public func withClient<T: Sendable>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "llmrank"),
        _ body: @Sendable (_ client: ChatClient, _ model: String) async throws -> T
    ) async throws -> T {
        let endpoint = try ManagedEndpoint(settings: self, environment: environment, logger: logger)
        return try await Scoped.run({ try await body(try await endpoint.client(), endpoint.model) },
                                    teardown: { await endpoint.shutdown() })
    }
}
