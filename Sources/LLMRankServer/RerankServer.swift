import Foundation
import Hummingbird
import HummingbirdCore
import LLMRank
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `llmrank serve`: the rerank HTTP API (Cohere v1/v2, Jina, TEI, llama.cpp and vLLM shapes, and
/// the native one) over one `Reranker` per served profile, on Hummingbird with
/// swift-service-lifecycle.
///
/// ```swift
/// let server = RerankServer(settings: ServerSettings(profiles: ["default": try ProfileLibrary.named("encoder")]))
/// try await server.run { port in print("listening on \(port)") }   // until SIGTERM/SIGINT or stop()
/// ```
///
/// On SIGTERM or SIGINT (or `stop()`), it stops accepting connections, lets the requests in flight
/// finish (for up to `settings.grace`, then cancels them), shuts the rerankers down and returns.
public final class RerankServer: Sendable {
    /// What the server serves and how.
    public let settings: ServerSettings
    private let logger: Logger
    private let environment: [String: String]
    private let group = Mutex<ServiceGroup?>(nil)
    private let stopRequested = Mutex(false)

    /// A server for `settings`; nothing starts until `run`.
    public init(settings: ServerSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "llmrank.serve"))
    {
        self.settings = settings
        self.environment = environment
        self.logger = logger
    }

    /// Validates the settings, starts every profile's reranker, binds and serves until a signal in
    /// `signals` or `stop()`; `onReady` gets the bound port (useful with port 0) once it accepts.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint],
                    onReady: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws
    {
        try settings.validate()
        let profiles = try await ServedProfiles.start(settings, environment: environment, logger: logger)
        let responder = RerankResponder(settings: settings, profiles: profiles, admission: Admission(limit: settings.maxInflight),
                                        metrics: ServerMetrics(), readiness: Readiness(profiles: profiles, ttl: settings.readyCache),
                                        logger: logger)
        let logger = self.logger
        let host = settings.host
        let app = Application(
            responder: responder,
            server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [DisconnectDetector()])),
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "llmrank"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)", "profiles": "\(profiles.names.joined(separator: ","))"])
                await onReady(port)
            },
            logger: Self.quiet(logger)
        )
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: signals, logger: Self.quiet(logger))
        configuration.maximumGracefulShutdownDuration = settings.grace
        let group = ServiceGroup(configuration: configuration)
        let stopEarly = self.group.withLock { slot in
            slot = group
            return stopRequested.withLock { $0 }
        }
        if stopEarly { await group.triggerGracefulShutdown() }
        do {
            try await group.run()
        } catch {
            await profiles.shutdown()
            throw error
        }
        await profiles.shutdown()
        logger.info("stopped")
    }

    /// Starts a graceful shutdown, as SIGTERM does. Safe before `run` starts serving and more than once.
    public func stop() async {
        let group = self.group.withLock { slot in
            stopRequested.withLock { $0 = true }
            return slot
        }
        await group?.triggerGracefulShutdown()
    }

    /// Hummingbird's and the service group's own logs, one level down from ours (their per-
    /// connection lines at info would drown the request log).
    private static func quiet(_ logger: Logger) -> Logger {
        var logger = logger
        if logger.logLevel < .notice { logger.logLevel = .notice }
        return logger
    }
}
