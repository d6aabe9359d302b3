import ArgumentParser
import Foundation
import LLMRank

/// `llmrank cache stats | clear`: the judgment cache, inspected or cleared.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect or clear the judgment cache.",
        subcommands: [Stats.self, Clear.self]
    )

    struct Location: ParsableArguments {
        @Option(help: "Cache file (default $LLMRANK_HOME/judgments.sqlite).")
        var cache: String?

        func open() throws -> JudgmentCache {
            let path = cache.map { URL(fileURLWithPath: $0) } ?? LLMRankPaths.defaultCache()
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw LLMRankError(.invalidInput, "no cache at \(path.path)")
            }
            return try JudgmentCache.open(path: path)
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Entries, size, tokens stored and saved.")
        @OptionGroup var location: Location
        @ArgumentParser.Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let stats = try await location.open().stats()
            if json {
                print(try JSONOutput.string(stats, pretty: true))
                return
            }
            print("cache     \(stats.path)")
            print("entries   \(stats.entries)")
            print("size      \(stats.fileBytes) bytes on disk")
            print("stored    \(stats.storedUsage.promptTokens) prompt + \(stats.storedUsage.completionTokens) completion tokens")
            print("hits      \(stats.hits) (saved \(stats.savedUsage.totalTokens) tokens)")
            for (model, n) in stats.byModel.sorted(by: { $0.key < $1.key }) { print("model     \(model): \(n)") }
            for (version, n) in stats.byMethodVersion.sorted(by: { $0.key < $1.key }) { print("prompt    \(version): \(n)") }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete cached judgments.")
        @OptionGroup var location: Location
        @Option(name: .customLong("older-than-days"), help: "Only entries older than this many days.")
        var olderThanDays: Double?

        func validate() throws {
            if let olderThanDays, !(olderThanDays.isFinite && olderThanDays >= 0) {
                throw ValidationError("--older-than-days must be a number of days, 0 or more")
            }
        }

        func run() async throws {
            let cutoff = olderThanDays.map { Date().addingTimeInterval(-$0 * 86400) }
            let deleted = try await location.open().clear(olderThan: cutoff)
            print("deleted \(deleted) entries")
        }
    }
}
