import Foundation
import LLMRank

/// Everything `llmrank serve` needs, as one value: where to listen, the profiles it serves as
/// models, the request limits and the keys clients must present. Every field has the documented
/// default, so `ServerSettings(profiles: ["default": config])` is a loopback server on port 8080.
public struct ServerSettings: Sendable {
    /// The profiles served as models, by name; requests name one in `model` (or `profile`).
    public var profiles: [String: RerankerConfiguration]
    /// The profile a request that names none gets; must be a key of `profiles`.
    public var defaultProfile: String
    /// The address to bind; loopback unless told otherwise.
    public var host: String
    /// The port; 0 picks a free one (reported to `onReady`).
    public var port: Int
    /// Most documents in one request (413 above it).
    public var maxDocuments: Int
    /// Largest request body in bytes (413 above it).
    public var maxBodyBytes: Int
    /// Rerank requests running at once; the next ones get 429 with `Retry-After`.
    public var maxInflight: Int
    /// Per request: the profile's budget deadline is capped at this, so a slow request returns what
    /// the pipeline has (documents not yet judged flagged, in their previous order). nil: no cap.
    public var requestTimeout: Duration?
    /// How long SIGTERM/SIGINT waits for in-flight requests before cancelling them.
    public var grace: Duration
    /// Keys a client must send as `Authorization: Bearer KEY`; empty: no authentication.
    public var serverKeys: [String]
    /// Lets a non-loopback `host` run without `serverKeys`.
    public var allowUnauthenticated: Bool
    /// Logs document text and queries (off by default: requests are logged by size only).
    public var logText: Bool
    /// How long `GET /ready` keeps the outcome of its endpoint probes (default 5 s).
    public var readyCache: Duration = .seconds(5)

    /// A server over `profiles`; every other argument has the documented default.
    public init(profiles: [String: RerankerConfiguration], defaultProfile: String = "default", host: String = "127.0.0.1",
                port: Int = 8080, maxDocuments: Int = 1000, maxBodyBytes: Int = 8 * 1024 * 1024, maxInflight: Int = 64,
                requestTimeout: Duration? = nil, grace: Duration = .seconds(30), serverKeys: [String] = [],
                allowUnauthenticated: Bool = false, logText: Bool = false)
    {
        self.profiles = profiles
        self.defaultProfile = defaultProfile
        self.host = host
        self.port = port
        self.maxDocuments = maxDocuments
        self.maxBodyBytes = maxBodyBytes
        self.maxInflight = maxInflight
        self.requestTimeout = requestTimeout
        self.grace = grace
        self.serverKeys = serverKeys
        self.allowUnauthenticated = allowUnauthenticated
        self.logText = logText
    }

    /// Whether `host` only accepts connections from this machine.
    public var isLoopback: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }

    /// Checks the settings before anything starts; the error names the flag at fault.
    public func validate() throws {
        guard !profiles.isEmpty else { throw LLMRankError(.invalidInput, "serve: no profile to serve") }
        guard profiles[defaultProfile] != nil else {
            throw LLMRankError(.invalidInput, "serve: the default profile '\(defaultProfile)' is not among the served ones (\(profileNames.joined(separator: ", ")))")
        }
        for (name, configuration) in profiles {
            guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
                throw LLMRankError(.invalidInput, "serve: profile name '\(name)': letters, digits, . _ - only (at most 64)")
            }
            do { try configuration.validate() } catch let error as LLMRankError {
                throw LLMRankError(error.kind, "profile \(name): \(error.message)")
            }
        }
        guard (0...65535).contains(port) else { throw LLMRankError(.invalidInput, "--port must be between 0 and 65535, got \(port)") }
        guard maxDocuments >= 1 else { throw LLMRankError(.invalidInput, "--max-documents must be at least 1") }
        guard maxBodyBytes >= 1024 else { throw LLMRankError(.invalidInput, "--max-body-bytes must be at least 1024") }
        guard maxInflight >= 1 else { throw LLMRankError(.invalidInput, "--max-inflight must be at least 1") }
        if let requestTimeout, requestTimeout <= .zero { throw LLMRankError(.invalidInput, "--request-timeout must be positive") }
        guard grace >= .zero else { throw LLMRankError(.invalidInput, "--grace must not be negative") }
        if serverKeys.contains(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
            throw LLMRankError(.invalidInput, "server keys: a key is empty or contains whitespace")
        }
        if !isLoopback, serverKeys.isEmpty, !allowUnauthenticated {
            throw LLMRankError(.invalidInput,
                               "serve: binding \(host) (not loopback) needs --server-keys FILE (or LLMRANK_SERVER_KEYS), or --allow-unauthenticated")
        }
    }

    /// The served profile names, sorted.
    public var profileNames: [String] { profiles.keys.sorted() }

    /// The configuration a profile runs with: its own, with the budget's deadline capped at
    /// `requestTimeout`.
    func effectiveConfiguration(_ name: String) -> RerankerConfiguration? {
        guard var configuration = profiles[name] else { return nil }
        if let requestTimeout {
            configuration.budget.deadline = min(configuration.budget.deadline ?? requestTimeout, requestTimeout)
        }
        return configuration
    }
}
