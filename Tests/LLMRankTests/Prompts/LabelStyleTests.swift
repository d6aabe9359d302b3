import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// Letter labels as part of a multi-passage prompt's contract: the style, its validation at load,
/// rendering, reading replies, the configuration checks it brings, and the profile fields of the
/// window strategy and the setwise sort.
@Suite struct LabelStyleTests {
    @Test func lettersAndNumbers() {
        #expect(LabelStyle.letters.labels(3) == ["A", "B", "C"])
        #expect(LabelStyle.letters.label(25) == "Z")
        #expect(LabelStyle.letters.label(26) == "AA")
        #expect(LabelStyle.numbers.labels(3) == ["1", "2", "3"])
        #expect(LabelStyle.letters.numbered("[B] > [ a ] > [C] > [Z]", count: 3) == "[2] > [1] > [3] > [Z]")
        #expect(LabelStyle.letters.numbered("B > A > C", count: 3) == "[2] > [1] > [3]")
        #expect(LabelStyle.numbers.numbered("B > A", count: 2) == "B > A")
    }

    /// A setwise prompt whose passages are lettered.
    static func setwise(labels: String = "letters", item: String = "{{label}}") -> String {
        """
        name: lettered
        method: setwise
        version: 1
        placeholders: [query, documents, last_label]
        system: You pick passages.
        user: |-
          Query: {{query}}
          {{#documents}}
          [\(item)] {{text}}
          {{/documents}}
          Which is most relevant? One of [A] to [{{last_label}}].
        repair: |-
          Reply with one label, [A] to [{{last_label}}].
        output:
          labels: \(labels)
        """
    }

    @Test func aLetteredPromptRendersLettersAndItsLastLabel() throws {
        let prompt = try PromptTemplate.load(yaml: Self.setwise(), file: "x.yaml")
        #expect(prompt.labelStyle == .letters)
        let user = try prompt.render(query: "q", passages: ["one", "two", "three"]).last?.content ?? ""
        #expect(user.contains("[A] one\n[B] two\n[C] three"), "\(user)")
        #expect(user.hasSuffix("One of [A] to [C]."))
        #expect(prompt.renderRepair(query: "q", passageCount: 4).content == "Reply with one label, [A] to [D].")
        #expect(try PromptLibrary.named("setwise").labelStyle == .numbers)
        #expect(try PromptLibrary.named("first").labelStyle == .letters)
    }

    @Test func labelErrorsNameTheFileLineAndField() {
        #expect(PromptValidationTests.message(Self.setwise(labels: "roman"))
            == "prompts/x.yaml:15: field 'output.labels': 'roman' is not one of numbers, letters")
        #expect(PromptValidationTests.message(Self.setwise(item: "{{rank}}"))
            == "prompts/x.yaml:15: field 'output.labels': is letters, but the {{#documents}} section shows {{rank}} (a number): label passages with {{label}}")
        #expect(PromptValidationTests.message(Self.setwise(item: "x"))
            == "prompts/x.yaml:15: field 'output.labels': is letters, but the {{#documents}} section never shows {{label}}: the reply could not name a passage")
    }

    @Test func aPerfectJudgeOrdersLetteredSetsAndWindows() async throws {
        let (documents, grades) = ChoiceMethodTests.shuffled(12, seed: 3)
        let judge = SimulatedJudge(grades: grades, noise: 0)
        let server = try StubLLMServer(handler: judge.handler)
        let setwise = try PromptTemplate.load(yaml: Self.setwise(), file: "x.yaml")
        var options = JudgeOptions(model: "m")
        options.topK = 5
        let chosen = try await Judge(prompt: setwise, chat: JudgeTests.client(server), options: options)
            .rerank(query: Query(text: "which topic"), list: RankedList(documents: documents))
        #expect(Array(chosen.list.ids.prefix(5)) == ChoiceMethodTests.trueTop(12, 5))
        #expect(server.requests.allSatisfy { ($0.lastUserMessage ?? "").contains("[A] ") && !($0.lastUserMessage ?? "").contains("[1] ") })

        let listwise = try PromptTemplate.load(yaml: try #require(PromptLibrary.shippedYAML(named: "listwise"))
            .replacingOccurrences(of: "[{{rank}}]", with: "[{{label}}]")
            .replacingOccurrences(of: "output:\n", with: "output:\n  labels: letters\n"), file: "l.yaml")
        let ranked = try await Judge(prompt: listwise, chat: JudgeTests.client(server), options: options)
            .rerank(query: Query(text: "which topic"), list: RankedList(documents: documents))
        #expect(ranked.list.ids == ChoiceMethodTests.trueTop(12, 12))
        #expect(ranked.list.candidates.allSatisfy { $0.flags.isEmpty })
    }

    @Test func theConfigurationHoldsWindowsToWhatTheLabelsAllow() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("lettered.yaml")
        let yaml = try #require(PromptLibrary.shippedYAML(named: "listwise"))
            .replacingOccurrences(of: "[{{rank}}]", with: "[{{label}}]")
            .replacingOccurrences(of: "output:\n", with: "output:\n  labels: letters\n")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        func fault(_ judge: JudgeSettings) -> String {
            var config = RerankerConfiguration()
            config.judge = judge
            do {
                try config.validate()
                return ""
            } catch let error as LLMRankError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(fault(JudgeSettings(prompt: file.path, window: 30)).hasPrefix("judge.window: must be at most 26: prompt 'listwise' labels passages with letters, got 30"))
        #expect(fault(JudgeSettings(prompt: file.path, window: 26)) == "")
        #expect(fault(JudgeSettings(method: .first, window: 21)).hasPrefix("judge.window: must be between 2 and 20 for first"))
        #expect(fault(JudgeSettings(method: .listwise, window: 10, topK: 10, strategy: .topdown))
            == "judge.top_k: must be less than window (10) with strategy topdown, got 10")
        #expect(fault(JudgeSettings(method: .listwise, window: 10, topK: 10)) == "")
    }

    @Test func strategyAndSetwiseSortAreProfileFields() throws {
        let profile = try ProfileLibrary.parse(yaml: "judge:\n  method: listwise\n  strategy: topdown\n  setwise_sort: bubble\n")
        #expect(profile.judge?.strategy == .topdown && profile.judge?.setwiseSort == .bubble)
        #expect(try ProfileLibrary.parse(yaml: try ProfileLibrary.yaml(profile)) == profile)
        let options = try #require(profile.judge).options(model: "m", concurrency: 1)
        #expect(options.windowStrategy == .topdown && options.setwiseSort == .bubble)
        let loader = ProfileLoaderTests()
        #expect(loader.message("judge:\n  strategy: zigzag\n").hasPrefix("p.yaml:2: judge.strategy: 'zigzag' is not one of sliding, topdown"))
        #expect(loader.message("judge:\n  setwise_sort: quick\n").hasPrefix("p.yaml:2: judge.setwise_sort: 'quick' is not one of heap, bubble"))
        #expect(loader.message("judge:\n  method: first\n  window: 30\n").hasPrefix("p.yaml:3: judge.window: must be between 2 and 20 for first"))
    }
}
