import ArgumentParser
import Foundation
import LLMRank

/// `llmrank profiles list | show NAME | check FILE`.
struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List, show and check pipeline profiles (YAML files that describe a reranker).",
        subcommands: [List.self, Show.self, Check.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The shipped profiles.")

        func run() async throws {
            for name in ProfileLibrary.shippedNames {
                let profile = try ProfileLibrary.named(name)
                print("\(ResultPrinter.pad(name, 16))  \(profile.description ?? "")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a profile: a shipped one's file, or a file's effective fields.")

        @Argument(help: "A shipped profile name or a YAML file.")
        var name: String

        func run() async throws {
            if let yaml = ProfileLibrary.shippedYAML(named: name) {
                print(yaml, terminator: yaml.hasSuffix("\n") ? "" : "\n")
            } else {
                print(try ProfileLibrary.yaml(try ProfileLibrary.resolve(name)), terminator: "")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate profile files: unknown fields, types, ranges, the prompt; errors name the file, line and field.")

        @Argument(help: "Profile YAML files.")
        var files: [String]

        func run() async throws {
            for file in files {
                let profile = try ProfileLibrary.load(path: file)
                let stages = [profile.remote.map { "remote \($0.api.rawValue)\($0.keep.map { " top \($0)" } ?? "")" },
                              profile.encoder.map { "encoder\($0.keep.map { " top \($0)" } ?? "")" },
                              profile.judge.map { "judge \($0.method?.rawValue ?? "pointwise")" },
                              profile.fusion.map { "fusion \($0.shortForm)" }].compactMap { $0 }
                print("ok  \(file): \(stages.joined(separator: " -> "))")
            }
        }
    }
}
