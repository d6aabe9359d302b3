import ArgumentParser
import Foundation
import LLMRank

/// `llmrank cache stats | clear | export | import`: the judgment cache, inspected, cleared or moved.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect, clear, export or import the judgment cache.",
        subcommands: [Stats.self, Clear.self, Export.self, Import.self]
    )

    /// The store the subcommands work on: `--cache PATH`, else the default file. It must exist:
    /// inspecting or clearing a store never creates one.
    struct Location: ParsableArguments {
        @Option(help: "Cache file (default $LLMRANK_HOME/judgments.sqlite) or postgres:// address (also LLMRANK_CACHE_URL).")
        var cache: String?

        func open(creating: Bool = false) async throws -> any JudgmentStore {
            let setting = (cache ?? ProcessInfo.processInfo.environment["LLMRANK_CACHE_URL"]).map(StoreSetting.init) ?? .default
            if case .postgres = setting, let store = try await setting.open() { return store }
            let path = setting.fileURL()?.path ?? setting.description
            guard creating || FileManager.default.fileExists(atPath: path), let store = try await setting.open() else {
                throw LLMRankError(.invalidInput, "no cache at \(path)")
            }
            return store
        }
    }

    /// `llmrank cache stats`: what the store holds.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Entries, size, tokens stored and saved.")
        @OptionGroup var location: Location
        @ArgumentParser.Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await location.open()
            let stats = try await store.stats()
            await store.close()
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

    /// `llmrank cache clear`: delete all entries, or those older than some days.
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
            let store = try await location.open()
            let deleted = try await store.clear(olderThan: cutoff)
            await store.close()
            print("deleted \(deleted) entries")
        }
    }

    /// `llmrank cache export FILE`: every usable entry as JSON Lines.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every judgment to a JSON Lines file (- for standard output).")
        @OptionGroup var location: Location
        @Argument(help: "The file to write (replaced), or - for standard output.") var file: String

        func run() async throws {
            let store = try await location.open()
            let handle: FileHandle
            if file == "-" {
                handle = FileHandle.standardOutput
            } else {
                guard FileManager.default.createFile(atPath: file, contents: nil), let opened = FileHandle(forWritingAtPath: file) else {
                    await store.close()
                    throw LLMRankError(.invalidInput, "\(file): cannot create the file")
                }
                handle = opened
            }
            let counts: JudgmentTransfer.Counts
            do {
                counts = try await JudgmentTransfer.export(from: store, to: handle)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            if file != "-" { try handle.close() }
            printError("exported \(counts.transferred) judgments from \(store.location)"
                + (counts.unreadable > 0 ? "; left out \(counts.unreadable) unreadable entries" : ""))
        }
    }

    /// `llmrank cache import FILE`: the entries of an export, added to this store.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the judgments of a JSON Lines export to the cache (entries it holds are kept).")
        @OptionGroup var location: Location
        @Argument(help: "A file written by `llmrank cache export`.") var file: String

        func run() async throws {
            // The whole file is checked before the store is opened: a bad line stores nothing.
            let entries = try JudgmentTransfer.read(path: file)
            let store = try await location.open(creating: true)
            let counts: JudgmentTransfer.Counts
            do {
                counts = try await JudgmentTransfer.importEntries(entries, into: store)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            print("imported \(counts.transferred) judgments into \(store.location); \(counts.alreadyPresent) were there already")
        }
    }
}
