import ArgumentParser
import Foundation
import LLMRank
import LLMRankServer

/// `llmrank serve`: the rerank HTTP API over one `Reranker` per profile, until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve profiles over the Cohere, Jina, TEI and llama.cpp rerank APIs (and llmrank's own).",
        discussion: """
            Each --profile is served as a model under its name (a file's name without .yaml); the first is the
            default. Without --profile, the pipeline flags define the one profile, "default"; with it, they
            override every served profile's fields. Routes: POST /v1/rerank, /v2/rerank, /rerank,
            /llmrank/v1/rerank; GET /v1/models, /health, /ready, /metrics, /openapi.yaml.
            SIGTERM or SIGINT stops accepting, finishes the requests in flight (up to --grace) and exits 0.
            """
    )

    @Option(help: "Address to bind (default 127.0.0.1; any other needs --server-keys or --allow-unauthenticated).")
    var host = "127.0.0.1"

    @Option(help: "Port (default 8080; 0 picks a free one, printed on stderr).")
    var port = 8080

    @Option(name: .customLong("server-keys"), help: "File of keys, one a line, that clients send as `Authorization: Bearer KEY` (or LLMRANK_SERVER_KEYS).")
    var serverKeys: String?

    @ArgumentParser.Flag(name: .customLong("allow-unauthenticated"), help: "Allow a non-loopback --host without keys.")
    var allowUnauthenticated = false

    @Option(name: .customLong("max-documents"), help: "Most documents in one request (default 1000; above: 413).")
    var maxDocuments = 1000

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body (default 8388608; above: 413).")
    var maxBodyBytes = 8 * 1024 * 1024

    @Option(name: .customLong("max-inflight"), help: "Rerank requests running at once (default 64); the next get 429 with Retry-After.")
    var maxInflight = 64

    @Option(name: .customLong("request-timeout"), help: "Seconds a request may take: the budget's deadline is capped at it, so a slow request returns what the pipeline has, flagged.")
    var requestTimeout: Double?

    @Option(help: "Seconds SIGTERM waits for requests in flight (default 30).")
    var grace: Double = 30

    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let requestTimeout, !(requestTimeout.isFinite && requestTimeout > 0) {
            throw ValidationError("--request-timeout must be a positive number of seconds")
        }
        if !(grace.isFinite && grace >= 0) { throw ValidationError("--grace must be a number of seconds, 0 or more") }
    }

    func run() async throws {
        var logger = logging.makeLogger()
        logger.logLevel = logging.verbose ? .debug : .info
        let (profiles, order) = try Self.servedProfiles(pipeline: pipeline, endpoint: endpoint)
        var keys: [String] = []
        if let serverKeys {
            keys = try ServerKeys.load(path: serverKeys)
        } else if let value = ProcessInfo.processInfo.environment["LLMRANK_SERVER_KEYS"] {
            keys = ServerKeys.parse(environmentValue: value)
        }
        let settings = ServerSettings(
            profiles: profiles, defaultProfile: order[0], host: host, port: port, maxDocuments: maxDocuments,
            maxBodyBytes: maxBodyBytes, maxInflight: maxInflight, requestTimeout: requestTimeout.map(BudgetLimits.duration(seconds:)),
            grace: BudgetLimits.duration(seconds: grace), serverKeys: keys, allowUnauthenticated: allowUnauthenticated,
            logText: logging.verbose
        )
        let host = self.host
        let names = order.joined(separator: ", ")
        try await RerankServer(settings: settings, logger: logger).run { port in
            printError("llmrank: serving \(names) on http://\(host):\(port)")
        }
    }

    /// The profiles the flags describe, by name, and their names in the order given (the first is
    /// the default): each `--profile` with the flags applied, or "default" from the flags alone.
    static func servedProfiles(pipeline: PipelineOptions, endpoint: EndpointOptions) throws -> ([String: RerankerConfiguration], [String]) {
        var profiles: [String: RerankerConfiguration] = [:]
        var order: [String] = []
        for source in pipeline.profiles.isEmpty ? [nil] : pipeline.profiles.map(Optional.some) {
            let name = source.map(Self.profileName) ?? "default"
            guard profiles[name] == nil else { throw LLMRankError(.invalidInput, "--profile: two profiles are named '\(name)'") }
            profiles[name] = try pipeline.configuration(endpoint: endpoint, profile: source)
            order.append(name)
        }
        return (profiles, order)
    }

    /// A served profile's name: a shipped profile's own, or a file's name without its extension.
    static func profileName(_ source: String) -> String {
        guard ProfileLibrary.shippedYAML(named: source) == nil else { return source }
        let file = URL(fileURLWithPath: source).lastPathComponent
        for ext in [".yaml", ".yml"] where file.hasSuffix(ext) { return String(file.dropLast(ext.count)) }
        return file
    }
}
