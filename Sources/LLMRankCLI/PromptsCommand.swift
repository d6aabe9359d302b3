import ArgumentParser
import Foundation
import LLMRank

struct PromptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "List, show and render prompt files.",
        subcommands: [List.self, Show.self, Render.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The shipped prompts.")

        func run() async throws {
            for template in try PromptLibrary.shipped() {
                let name = ResultPrinter.pad(template.name, 18)
                print("\(name)  \(ResultPrinter.pad(template.method.rawValue, 10))  \(template.summary ?? "")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a prompt file (a shipped name or a path).")

        @Argument(help: "A shipped prompt name or a YAML file.")
        var name: String

        func run() async throws {
            if let yaml = PromptLibrary.shippedYAML(named: name) {
                print(yaml, terminator: yaml.hasSuffix("\n") ? "" : "\n")
            } else {
                let template = try PromptLibrary.resolve(name)
                print(template.source, terminator: template.source.hasSuffix("\n") ? "" : "\n")
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print exactly what would be sent: the messages, as JSON.")

        @Argument(help: "A shipped prompt name or a YAML file.")
        var name: String

        @Option(help: "The query.")
        var query: String

        @Option(help: "A document; repeat for a listwise prompt's passages.")
        var doc: [String] = []

        func run() async throws {
            let template = try PromptLibrary.resolve(name)
            guard !doc.isEmpty else { throw ValidationError("give at least one --doc") }
            let messages = template.method == .listwise
                ? template.render(query: query, passages: doc)
                : template.render(query: query, document: doc[0])
            print(try JSONOutput.string(messages, pretty: true))
        }
    }
}

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

        func run() async throws {
            let cutoff = olderThanDays.map { Date().addingTimeInterval(-$0 * 86400) }
            let deleted = try await location.open().clear(olderThan: cutoff)
            print("deleted \(deleted) entries")
        }
    }
}
