import Foundation
import LLMRank
import Logging

/// The profiles a server serves, each with its one `Reranker` for the server's lifetime (the
/// encoder loaded once, judgments cached across requests) and its relevance mapping.
final class ServedProfiles: Sendable {
    struct Entry: Sendable {
        let reranker: Reranker
        let scale: RelevanceScale
        let description: String?
    }

    let entries: [String: Entry]
    let defaultName: String

    private init(entries: [String: Entry], defaultName: String) {
        self.entries = entries
        self.defaultName = defaultName
    }

    /// Starts a reranker for every profile (with the request timeout applied to its budget), and
    /// the embedded server where a profile uses it. On a failure, the ones started are shut down.
    static func start(_ settings: ServerSettings, environment: [String: String], logger: Logger) async throws -> ServedProfiles {
        var entries: [String: Entry] = [:]
        do {
            for name in settings.profileNames {
                guard let configuration = settings.effectiveConfiguration(name) else { continue }
                let reranker: Reranker
                do {
                    reranker = try await Reranker.start(configuration, environment: environment, logger: logger)
                } catch let error as LLMRankError {
                    throw LLMRankError(error.kind, "profile \(name): \(error.message)", status: error.status)
                }
                entries[name] = Entry(reranker: reranker, scale: RelevanceScale(configuration: reranker.configuration,
                                                                                     prompt: reranker.judgePrompt),
                                      description: configuration.description)
                try await reranker.prepare()
                logger.info("profile loaded", metadata: ["profile": "\(name)", "endpoint": "\(reranker.endpointLocation ?? "none")"])
            }
        } catch {
            for entry in entries.values { await entry.reranker.shutdown() }
            throw error
        }
        return ServedProfiles(entries: entries, defaultName: settings.defaultProfile)
    }

    /// The served names, sorted.
    var names: [String] { entries.keys.sorted() }

    /// The profile a request names (`model`/`profile`), or the default one; unknown is a 404.
    func entry(_ name: String?, field: String) throws(APIError) -> (name: String, entry: Entry) {
        // No name, or "default" when no profile has that name: the default profile.
        var wanted = name ?? ""
        if wanted.isEmpty || (wanted == "default" && entries["default"] == nil) { wanted = defaultName }
        guard let entry = entries[wanted] else { throw APIError.unknownProfile(wanted, field: field, known: names) }
        return (wanted, entry)
    }

    /// Shuts every reranker down (stops embedded servers).
    func shutdown() async {
        for entry in entries.values { await entry.reranker.shutdown() }
    }
}
