import Foundation
import Testing
@testable import LLMRank

/// The shipped prompts: the YAML files in prompts/ are the source; the library carries the same
/// text compiled in (ShippedPrompts.swift). These tests keep the two identical and regenerate the
/// Swift file when run with LLMRANK_UPDATE_PROMPTS=1.
@Suite struct ShippedPromptFilesTests {
    static let files = EmbeddedYAMLFiles(folder: "prompts", generatedPath: "Sources/LLMRank/Prompts/ShippedPrompts.swift",
                                         enumName: "ShippedPrompts", updateVariable: "LLMRANK_UPDATE_PROMPTS",
                                         suite: "ShippedPromptFiles")
    static var promptsDir: URL { files.directory }

    @Test func embeddedCopiesEqualTheFiles() throws {
        let disk = try Self.files.filesOnDisk()
        if Self.files.updateRequested { return try Self.files.update() }
        #expect(ShippedPrompts.files.map(\.name) == disk.map(\.name),
                "prompts/ and ShippedPrompts.swift list different prompts; \(Self.files.regenerate)")
        for (a, b) in zip(ShippedPrompts.files, disk) {
            #expect(a.yaml == b.yaml, "prompts/\(b.name).yaml differs from its embedded copy; \(Self.files.regenerate)")
        }
        // The committed Swift file is exactly what the generator writes.
        #expect(try Self.files.committed() == Self.files.generate(disk))
    }

    @Test func shippedNamesAreTheIssuePrompts() {
        #expect(PromptLibrary.shippedNames == ["aspects", "first", "listwise", "pairwise", "pointwise-0to10", "pointwise-1to5", "setwise", "yesno"])
        for method in JudgeMethod.allCases {
            #expect(PromptLibrary.shippedNames.contains(PromptLibrary.defaultName(for: method)))
        }
    }

    @Test(arguments: PromptLibrary.shippedNames)
    func everyShippedPromptLoadsFromTheLibraryAndFromItsFile(name: String) throws {
        let shipped = try PromptLibrary.named(name)
        #expect(shipped.name == name)
        #expect(shipped.source == "prompts/\(name).yaml")
        let fromFile = try PromptTemplate.load(contentsOf: Self.promptsDir.appendingPathComponent("\(name).yaml"))
        #expect(fromFile.userTemplate == shipped.userTemplate)
        #expect(fromFile.methodVersion == shipped.methodVersion)
        #expect(try PromptLibrary.resolve(name).name == name)
        #expect(try PromptLibrary.resolve(Self.promptsDir.appendingPathComponent("\(name).yaml").path).name == name)
    }

    @Test(arguments: PromptLibrary.shippedNames)
    func everyShippedPromptRendersQueryAndDocument(name: String) throws {
        let prompt = try PromptLibrary.named(name)
        let messages = prompt.rendersPassages
            ? try prompt.render(query: "QUERY-TEXT", passages: ["FIRST-PASSAGE", "SECOND-PASSAGE"])
            : try prompt.render(query: "QUERY-TEXT", document: "THE-DOCUMENT")
        #expect(messages.map(\.role) == [.system, .user])
        let user = messages[1].content
        #expect(user.contains("QUERY-TEXT"))
        if prompt.rendersPassages {
            let labels = prompt.labelStyle.labels(2)
            #expect(user.contains("[\(labels[0])] FIRST-PASSAGE"))
            #expect(user.contains("[\(labels[1])] SECOND-PASSAGE"))
            if prompt.method == .listwise { #expect(user.contains("Below are 2 passages")) }
        } else {
            #expect(user.contains("THE-DOCUMENT"))
        }
        // No Mustache tag survives rendering.
        #expect(!messages.contains { $0.content.contains("{{") || $0.content.contains("}}") })
        let repair = prompt.renderRepair(query: "QUERY-TEXT", passageCount: 2)
        #expect(repair.role == .user)
        #expect(!repair.content.contains("{{"))
    }

    @Test func shippedContractsMatchTheIssue() throws {
        let p15 = try PromptLibrary.named("pointwise-1to5")
        #expect(p15.scale == ScoreScale(min: 1, max: 5))
        #expect(p15.jsonSchema == [
            "type": "object",
            "properties": ["score": ["type": "integer", "minimum": 1, "maximum": 5]],
            "required": ["score"], "additionalProperties": false,
        ])

        let p010 = try PromptLibrary.named("pointwise-0to10")
        #expect(p010.scale == ScoreScale(min: 0, max: 10))
        // Reasoning before score: the body is sent with sorted keys, and "reasoning" < "score".
        let request = ChatRequest(model: "m", messages: [],
                                  responseFormat: .jsonSchema(name: "judgment", schema: try #require(p010.jsonSchema)))
        let body = String(decoding: try request.jsonBody(), as: UTF8.self)
        let reasoning = try #require(body.range(of: "\"reasoning\""))
        let score = try #require(body.range(of: "\"score\""))
        #expect(reasoning.lowerBound < score.lowerBound)

        let aspects = try PromptLibrary.named("aspects")
        #expect(aspects.rubric.map(\.name) == ["direct_answer", "completeness", "factual_accuracy"])
        #expect(aspects.rubric.map(\.max) == [5, 3, 2])
        guard let contract = aspects.output as? AspectsContract else { Issue.record("not aspects"); return }
        #expect(contract.totalRange == 0...10)

        let yesno = try PromptLibrary.named("yesno")
        guard let labels = yesno.output as? YesNoContract else { Issue.record("not yesno"); return }
        #expect(labels.yes == "Yes" && labels.no == "No")
        // The user message ends by asking for the one word, so the first token is the answer.
        #expect(try yesno.render(query: "q", document: "d").last?.content.hasSuffix("Answer with one word, Yes or No.") == true)

        let listwise = try PromptLibrary.named("listwise")
        #expect(listwise.textPattern == #"\[(\d+)\]"#)
        #expect(listwise.placeholders == ["query", "documents", "num"])
        #expect(listwise.renderRepair(query: "q", passageCount: 7).content.contains("all 7 passage numbers"))
    }

    @Test func unknownShippedNameListsTheShippedOnes() {
        #expect {
            try PromptLibrary.named("pointwise-1to7")
        } throws: { error in
            let e = error as? LLMRankError
            return e?.kind == .invalidPrompt && e?.message.contains("pointwise-1to5") == true
                && e?.message.contains("'pointwise-1to7'") == true
        }
    }
}
