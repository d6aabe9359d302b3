import Foundation
import Logging

/// The one entry point: a reranking pipeline built from a `RerankerConfiguration` (a profile), with
/// the endpoint client, the judgment store, the encoder and, when the configuration asks for it, the
/// embedded llama-server, owned for a scoped lifetime. The CLI, `llmrank eval` and Swift apps all
/// rerank through it.
///
/// ```swift
/// let result = try await Reranker.with(try ProfileLibrary.named("hybrid-yesno")) { reranker in
///     try await reranker.rerank(query: Query(text: "what causes auroras?"), documents: documents)
/// }
/// ```
///
/// Every document comes back (the judge's fallbacks flagged, cut ones below the head), with a
/// `Trace` of every call. Queries may run concurrently on one reranker.
public final class Reranker: Sendable {
    /// The effective configuration: the one given, with the model, the judge's method and the
    /// encoder's precision (`auto` resolved to what runs on this CPU) filled in.
    public let configuration: RerankerConfiguration
    /// The stages, in order.
    public let pipeline: Pipeline
    /// The judge's prompt as loaded when the reranker started; nil without a judge.
    public var judgePrompt: PromptTemplate? {
        pipeline.stages.lazy.compactMap { ($0 as? JudgeStage)?.judge.prompt }.first
    }
    /// Where judge calls go (a base URL without its password, or "local"); nil without a judge.
    public let endpointLocation: String?
    private let endpoint: ManagedEndpoint?
    private let store: (any JudgmentStore)?
    private let remoteClient: ChatClient?

    private init(configuration: RerankerConfiguration, pipeline: Pipeline, endpoint: ManagedEndpoint?, store: (any JudgmentStore)?,
                 remoteClient: ChatClient?)
    {
        self.configuration = configuration
        self.remoteClient = remoteClient
        self.pipeline = pipeline
        self.endpoint = endpoint
        self.endpointLocation = endpoint?.location
        self.store = store
    }

    /// Runs `body` with a reranker for `configuration` and tears it down afterwards (the embedded
    /// server stopped, the client shut down), also when `body` throws or the task is cancelled.
    public static func with<T: Sendable>(
        _ configuration: RerankerConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "llmrank"),
        _ body: @Sendable (Reranker) async throws -> T
    ) async throws -> T {
        let reranker = try await start(configuration, environment: environment, logger: logger)
        return try await Scoped.run({ try await body(reranker) }, teardown: { await reranker.shutdown() })
    }

    /// Builds a reranker that the caller shuts down with `shutdown()` (a server that lives as long
    /// as its process, say). Validates the configuration, opens the store and loads the encoder,
    /// off Swift's cooperative threads.
    public static func start(_ configuration: RerankerConfiguration,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             logger: Logger = Logger(label: "llmrank")) async throws -> Reranker
    {
        try configuration.validate()
        var effective = configuration
        var stages: [any RerankStage] = []
        if let depth = configuration.depth { stages.append(CutoffStage(keep: depth)) }
        var remoteClient: ChatClient?
        if let remote = configuration.remote {
            let client = ChatClient(configuration: try remote.clientConfiguration(environment: environment), logger: logger)
            remoteClient = client
            let later = configuration.encoder != nil || configuration.judge != nil
            stages.append(RemoteStage(url: remote.url, api: remote.api, model: remote.model, client: client,
                                      keep: later ? remote.keep : nil))
        }

        var encoderName: String?
        if let settings = configuration.encoder {
            try Self.checkInstalled(encoder: settings.model, environment: environment)
            let stage = try await EncoderStage.load(nameOrPath: settings.model, keep: configuration.judge == nil ? nil : settings.keep,
                                                    options: EncoderOptions(chunk: settings.chunk), precision: settings.precision,
                                                    environment: environment)
            stages.append(stage)
            encoderName = stage.name
            effective.encoder?.precision = stage.encoder.precision   // what runs here: never `auto`
        }

        var endpoint: ManagedEndpoint?
        var store: (any JudgmentStore)?
        if let settings = configuration.judge {
            let prompt = try settings.resolvePrompt()
            store = try await configuration.store.open(environment: environment, logger: logger)
            let gate = (store as? PostgresJudgmentStore).map {
                PostgresEndpointGate(store: $0, requestsPerMinute: configuration.endpoint.sharedRequestsPerMinute)
            }
            let managed: ManagedEndpoint
            do {
                managed = try ManagedEndpoint(settings: configuration.endpoint, environment: environment, logger: logger, gate: gate)
            } catch {
                await store?.close()
                throw error
            }
            endpoint = managed
            var chat: any ChatCompleting = managed
            if let store {
                chat = CachedChat(upstream: managed, store: store, methodVersion: prompt.methodVersion, logger: logger)
            }
            let judge = Judge(prompt: prompt, chat: chat,
                              options: settings.options(model: managed.model, concurrency: configuration.endpoint.concurrency))
            stages.append(JudgeStage(judge: judge))
            effective.endpoint.model = managed.model
            effective.judge?.method = prompt.method
            if let fusion = configuration.fusion, let encoderName {
                stages.append(fusion.stage(encoder: encoderName, judge: judge.stageName))
            }
        }
        let pipeline = Pipeline(stages: stages, budget: configuration.budget, topN: configuration.topN)
        return Reranker(configuration: effective, pipeline: pipeline, endpoint: endpoint, store: store, remoteClient: remoteClient)
    }

    /// A shipped model name whose folder is missing is missing setup (exit 5 in the CLI), not bad
    /// input: `scripts/fetch-models` installs it.
    static func checkInstalled(encoder name: String, environment: [String: String]) throws {
        guard name == EncoderSettings.defaultModel else { return }
        let folder = LLMRankPaths.models(environment: environment).appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) {
            throw LLMRankError(.setup, "encoder \(name) is not installed (no \(folder.path)); scripts/fetch-models installs it")
        }
    }

    /// Starts what the first judge call would start (the embedded server), so the first query does
    /// not wait for it. Without a judge, does nothing.
    public func prepare() async throws {
        _ = try await endpoint?.client()
    }

    /// Whether the judge's endpoint answers now: one plain chat call (`EndpointProbe.ping`) with a
    /// single attempt within `timeout`, on a client of its own (the pipeline's retries and breaker
    /// untouched). nil without a judge: there is no endpoint to reach.
    public func probeEndpoint(timeout: Duration = .seconds(5)) async -> ProbeReport? {
        guard let endpoint else { return nil }
        let running: ChatClient
        do {
            running = try await endpoint.client()
        } catch {
            var report = ProbeReport(baseURL: endpoint.location, model: endpoint.model)
            report.fatal = (error as? LLMRankError) ?? LLMRankError(.endpointUnavailable, "\(error)")
            report.checks.append(.init(name: "reachable", ok: false, detail: report.fatal?.message ?? "\(error)"))
            return report
        }
        var configuration = running.configuration
        configuration.maxAttempts = 1
        configuration.maxConcurrency = 1
        configuration.requestTimeout = timeout
        configuration.connectTimeout = min(configuration.connectTimeout, timeout)
        configuration.requestsPerMinute = nil
        configuration.tokensPerMinute = nil
        return try? await ChatClient.withClient(configuration: configuration, logger: Logger(label: "llmrank.ready")) { client in
            await EndpointProbe.ping(client: client, model: endpoint.model)
        }
    }

    /// Stops the embedded server if it started, shuts the endpoint's client down and closes the
    /// judgment store. Safe to call more than once; a reranker is not used after it.
    public func shutdown() async {
        await endpoint?.shutdown()
        await remoteClient?.shutdown()
        await store?.close()
    }

    /// Reranks `documents` for `query`: every document comes back, best first.
    public func rerank(query: Query, documents: [Document]) async throws -> RerankResult {
        try await rerank(query: query, list: RankedList(documents: documents))
    }

    /// Reranks a ranked list (a retriever's order, with its scores) for `query`.
    public func rerank(query: Query, list: RankedList) async throws -> RerankResult {
        try await rerank(query: query, list: list, pipeline: pipeline)
    }

    /// Runs `pipeline` (this reranker's, or one built from it for a request's overrides).
    func rerank(query: Query, list: RankedList, pipeline: Pipeline) async throws -> RerankResult {
        try Self.check(query)
        let result = try await pipeline.rerank(query: query, list: list)
        // Every call failed: the endpoint is down, not the documents. An error, not a flagged list.
        if let error = endpoint?.breaker.failedWithoutSuccess { throw error }
        return result
    }

    /// A query with no text would spend calls on nothing: refused before any work.
    static func check(_ query: Query) throws {
        if query.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw LLMRankError(.invalidInput, "query \(query.id): the query text is empty")
        }
    }

    /// Reranks many queries, `concurrency` at once, and returns their results in the order given.
    /// `progress` is called after each query with the number done. The first error ends the run.
    public func rerank(_ queries: [(query: Query, list: RankedList)], concurrency: Int = 4,
                       progress: (@Sendable (_ done: Int) -> Void)? = nil) async throws -> [RerankResult]
    {
        for q in queries { try Self.check(q.query) }
        return try await BoundedConcurrency.map(count: queries.count, limit: concurrency, progress: progress) { i in
            try await self.rerank(query: queries[i].query, list: queries[i].list)
        }
    }
}
