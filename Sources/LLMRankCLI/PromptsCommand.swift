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
            let messages = template.rendersPassages
                ? try template.render(query: query, passages: doc)
                : try template.render(query: query, document: doc[0])
            print(try JSONOutput.string(messages, pretty: true))
        }
    }
}
