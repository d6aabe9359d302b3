import Foundation
import Testing
@testable import LLMRank

/// Malformed prompt files fail to load with one error naming file, line, field and placeholder.
@Suite struct PromptValidationTests {
    /// A valid pointwise file; tests break one thing at a time.
    static let valid = """
        name: good
        method: pointwise
        version: 1
        placeholders: [query, document]
        system: |-
          You grade passages.
        user: |-
          Query: {{query}}
          Passage: {{document}}
          Reply {"score": N}.
        repair: |-
          Reply {"score": N} only.
        output:
          scale: {min: 1, max: 5}
          json_schema:
            type: object
            properties:
              score: {type: integer, minimum: 1, maximum: 5}
            required: [score]
          text_pattern: 'score"?\\s*:\\s*(\\d+)'
        """

    static func message(_ yaml: String, file: String = "prompts/x.yaml") -> String? {
        do {
            _ = try PromptTemplate.load(yaml: yaml, file: file)
            return nil
        } catch let error as LLMRankError {
            #expect(error.kind == .invalidPrompt)
            return error.message
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static func replacing(_ old: String, with new: String) -> String {
        if !valid.contains(old) { Issue.record("test setup: '\(old)' is not in the valid file") }
        return valid.replacingOccurrences(of: old, with: new)
    }

    @Test func theValidFileLoads() throws {
        let prompt = try PromptTemplate.load(yaml: Self.valid, file: "prompts/x.yaml")
        #expect(prompt.method == .pointwise)
        #expect(prompt.version == "1")
        #expect(prompt.placeholders == ["query", "document"])
        #expect(prompt.userTemplate == "Query: {{query}}\nPassage: {{document}}\nReply {\"score\": N}.")
    }

    @Test func misspelledPlaceholderNamesFileLineFieldAndPlaceholder() {
        let yaml = Self.replacing("Passage: {{document}}", with: "Passage: {{docment}}")
        #expect(Self.message(yaml) == "prompts/x.yaml:9: field 'user': placeholder 'docment' is not one of query, document")
    }

    @Test func placeholderOnFirstLineOfABlockGetsItsLine() {
        let yaml = Self.replacing("You grade passages.", with: "You grade {{passage}}.")
        #expect(Self.message(yaml) == "prompts/x.yaml:6: field 'system': placeholder 'passage' is not one of query, document")
    }

    @Test func placeholderInAQuotedMultilineValueGivesTheTemplateLine() {
        let yaml = Self.replacing("repair: |-\n  Reply {\"score\": N} only.", with: "repair: \"Again\\nfor {{qurey}}\"")
        #expect(Self.message(yaml) == "prompts/x.yaml:11: field 'repair': template line 2: placeholder 'qurey' is not one of query, document")
    }

    @Test func placeholderInAFoldedBlockGetsTheFirstLineOrTheTemplateLine() {
        let first = Self.replacing("repair: |-\n  Reply {\"score\": N} only.", with: "repair: >-\n  Reply {{scroe}}\n  only.")
        #expect(Self.message(first) == "prompts/x.yaml:12: field 'repair': placeholder 'scroe' is not one of query, document")
        let later = Self.replacing("repair: |-\n  Reply {\"score\": N} only.", with: "repair: >-\n  Reply\n\n  {{scroe}}")
        #expect(Self.message(later) == "prompts/x.yaml:11: field 'repair': template line 2: placeholder 'scroe' is not one of query, document")
    }

    @Test func documentFieldsAreNotPlaceholdersOfTheirOwn() {
        let yaml = """
            name: l
            method: listwise
            version: 1
            placeholders: [query, documents, text]
            system: ""
            user: "{{query}} {{#documents}}{{text}}{{/documents}}"
            repair: Again.
            """
        #expect(Self.message(yaml)
            == "prompts/x.yaml:4: field 'placeholders': 'text' is a field of each of 'documents': declare 'documents' and use {{text}} inside {{#documents}}...{{/documents}}")
    }

    @Test func badYAMLGivesLineAndColumn() throws {
        let yaml = Self.replacing("version: 1", with: "version: [1")
        let message = try #require(Self.message(yaml))
        #expect(message.hasPrefix("prompts/x.yaml:4:"))
        #expect(message.contains("invalid YAML"))
    }

    @Test func tabIndentationIsBadYAML() throws {
        let message = try #require(Self.message(Self.replacing("  scale:", with: "\tscale:")))
        #expect(message.hasPrefix("prompts/x.yaml:14:"))
        #expect(message.contains("invalid YAML"))
    }

    @Test func missingFieldIsNamed() {
        let yaml = Self.replacing("repair: |-\n  Reply {\"score\": N} only.\n", with: "")
        #expect(Self.message(yaml) == "prompts/x.yaml: missing field 'repair'")
        #expect(Self.message(Self.replacing("method: pointwise\n", with: "")) == "prompts/x.yaml: missing field 'method'")
    }

    @Test func missingNestedFieldIsNamedWithItsPath() {
        let yaml = Self.replacing("  scale: {min: 1, max: 5}\n", with: "")
        #expect(Self.message(yaml) == "prompts/x.yaml:13: missing field 'output.scale'")
        #expect(Self.message(Self.replacing("min: 1, ", with: "")) == "prompts/x.yaml:14: missing field 'output.scale.min'")
    }

    @Test func unknownFieldIsNamedWithTheExpectedOnes() throws {
        let message = try #require(Self.message(Self.replacing("system:", with: "sytem:")))
        #expect(message.hasPrefix("prompts/x.yaml:5: unknown field 'sytem' (expected name, method, version"))
        let nested = try #require(Self.message(Self.replacing("  text_pattern:", with: "  text_patern:")))
        #expect(nested.hasPrefix("prompts/x.yaml:20: unknown field 'output.text_patern' (expected in output: scale, score_field"))
    }

    @Test func duplicateFieldIsAnError() throws {
        let message = try #require(Self.message(Self.valid + "\nname: again"))
        #expect(message.contains("'name' appears twice"))
    }

    @Test func unknownMethodListsTheMethods() {
        #expect(Self.message(Self.replacing("method: pointwise", with: "method: tournament"))
            == "prompts/x.yaml:2: field 'method': 'tournament' is not one of pointwise, aspects, yesno, listwise, first, pairwise, setwise")
    }

    @Test func wrongMethodForThePlaceholders() {
        // A listwise file whose placeholders are pointwise ones.
        let yaml = Self.replacing("method: pointwise", with: "method: listwise")
        #expect(Self.message(yaml)
            == "prompts/x.yaml:4: field 'placeholders': placeholder 'document' is not allowed for listwise prompts (allowed: query, documents, num, last_label)")
    }

    @Test func usedButNotDeclared() {
        let yaml = Self.replacing("placeholders: [query, document]", with: "placeholders: [document]")
        #expect(Self.message(yaml) == "prompts/x.yaml:8: field 'user': placeholder 'query' is used but not declared in 'placeholders'")
    }

    @Test func declaredButNotAllowedForTheMethod() {
        let yaml = Self.replacing("placeholders: [query, document]", with: "placeholders: [query, document, num]")
        #expect(Self.message(yaml)
            == "prompts/x.yaml:4: field 'placeholders': placeholder 'num' is not allowed for pointwise prompts (allowed: query, document)")
    }

    @Test func declaredButNeverUsed() throws {
        var yaml = Self.replacing("Query: {{query}}", with: "Query: none")
        yaml = yaml.replacingOccurrences(of: "placeholders: [query, document]", with: "placeholders: [document, query]")
        #expect(Self.message(yaml) == "prompts/x.yaml:4: field 'placeholders': placeholder 'query' is declared but never used in system, user or repair")
    }

    @Test func documentMustReachTheModel() {
        let yaml = Self.replacing("Passage: {{document}}", with: "Passage: none")
            .replacingOccurrences(of: "[query, document]", with: "[query]")
        #expect(Self.message(yaml) == "prompts/x.yaml:7: field 'user': the prompt never inserts the document text ({{document}}) in system or user")
    }

    @Test func documentIsNotAllowedInRepair() {
        let yaml = Self.replacing("Reply {\"score\": N} only.", with: "Reread {{document}}.")
        #expect(Self.message(yaml) == "prompts/x.yaml:12: field 'repair': placeholder 'document' cannot be used in 'repair' (allowed: query)")
    }

    @Test func unsupportedMustacheFeaturesAreRejected() throws {
        let partial = try #require(Self.message(Self.replacing("You grade passages.", with: "{{> header}}")))
        #expect(partial == "prompts/x.yaml:6: field 'system': partials ({{>...}}) are not supported; a prompt is one file")
        let section = try #require(Self.message(Self.replacing("You grade passages.", with: "{{#query}}x{{/query}}")))
        #expect(section == "prompts/x.yaml:6: field 'system': '{{#query}}': sections are only for 'documents' in listwise prompts")
        let dotted = try #require(Self.message(Self.replacing("Query: {{query}}", with: "Query: {{query.text}}")))
        #expect(dotted.hasPrefix("prompts/x.yaml:8: field 'user': tag '{{query.text}}' is not a plain placeholder name"))
    }

    @Test func mustacheSyntaxErrorsNameTheLine() throws {
        let unclosed = try #require(Self.message(Self.replacing("Passage: {{document}}", with: "Passage: {{document")))
        #expect(unclosed == "prompts/x.yaml:9: field 'user': tag '{{' is never closed with '}}'")
        let section = """
            name: l
            method: listwise
            version: 1
            placeholders: [query, documents]
            system: ""
            user: |
              {{query}}
              {{#documents}}
              [{{rank}}] {{text}}
            repair: Again.
            """
        #expect(Self.message(section) == "prompts/x.yaml:8: field 'user': section 'documents' is never closed with '{{/documents}}'")
    }

    @Test func listwiseFieldsOutsideTheSection() {
        let yaml = """
            name: l
            method: listwise
            version: 1
            placeholders: [query, documents]
            system: ""
            user: |
              {{query}}
              {{text}}
              {{#documents}}[{{rank}}] {{text}}{{/documents}}
            repair: Again.
            """
        #expect(Self.message(yaml) == "prompts/x.yaml:8: field 'user': '{{text}}' is only available inside {{#documents}}...{{/documents}}")
    }

    @Test func badSchemaType() {
        let yaml = Self.replacing("score: {type: integer,", with: "score: {type: int,")
        #expect(Self.message(yaml)
            == "prompts/x.yaml:16: field 'output.json_schema.properties.score.type': 'int' is not a JSON schema type (string, number, integer, boolean, object, array, null)")
    }

    @Test func schemaBoundsMustMatchTheScale() {
        let yaml = Self.replacing("maximum: 5", with: "maximum: 10")
        #expect(Self.message(yaml) == "prompts/x.yaml:16: field 'output.json_schema.properties.score.maximum': is 10 but output.scale says 5")
    }

    @Test func schemaMustRequireTheScore() {
        let yaml = Self.replacing("required: [score]", with: "required: []")
        #expect(Self.message(yaml) == "prompts/x.yaml:16: field 'output.json_schema.required': must list 'score'")
    }

    @Test func schemaRequiredMustBeKnownProperties() {
        let yaml = Self.replacing("required: [score]", with: "required: [score, reason]")
        #expect(Self.message(yaml) == "prompts/x.yaml:16: field 'output.json_schema.required': lists 'reason', which is not in properties")
    }

    @Test func textPatternNeedsOneCaptureGroup() {
        #expect(Self.message(Self.replacing("(\\d+)'", with: "\\d+'"))
            == "prompts/x.yaml:20: field 'output.text_pattern': the pattern must have exactly one capture group (the score); it has 0")
        #expect(Self.message(Self.replacing("(\\d+)'", with: "(\\d+'"))?.contains("is not a valid regular expression") == true)
    }

    @Test func scaleMustBeIntegersInOrder() {
        #expect(Self.message(Self.replacing("min: 1,", with: "min: one,"))
            == "prompts/x.yaml:14: field 'output.scale.min': 'one' is not an integer")
        #expect(Self.message(Self.replacing("min: 1,", with: "min: 5,"))
            == "prompts/x.yaml:14: field 'output.scale': min (5) must be less than max (5)")
    }

    @Test func rubricOnlyForAspects() {
        let yaml = Self.valid + "\nrubric: [{name: a, min: 0, max: 1}]"
        #expect(Self.message(yaml) == "prompts/x.yaml:21: field 'rubric': only aspects prompts have a rubric; this prompt is pointwise")
    }

    static let aspects = """
        name: a
        method: aspects
        version: 1
        placeholders: [query, document]
        system: ""
        user: "{{query}} {{document}}"
        repair: JSON only.
        rubric:
          - {name: direct, min: 0, max: 5, weight: 2}
          - {name: complete, min: 0, max: 3}
        """

    @Test func aspectsWithoutSchemaGetOneFromTheRubric() throws {
        let prompt = try PromptTemplate.load(yaml: Self.aspects, file: "a.yaml")
        #expect(prompt.rubric == [RubricAspect(name: "direct", min: 0, max: 5, weight: 2),
                                  RubricAspect(name: "complete", min: 0, max: 3, weight: 1)])
        #expect(prompt.jsonSchema?["required"] == ["direct", "complete"])
        #expect(prompt.jsonSchema?["properties"]?["complete"] == ["type": "integer", "minimum": 0, "maximum": 3])
        guard let contract = prompt.output as? AspectsContract else { Issue.record("not aspects"); return }
        #expect(contract.totalRange == 0...13)
    }

    @Test func aspectsRubricErrors() {
        #expect(Self.message(Self.aspects.replacingOccurrences(of: "name: complete", with: "name: direct"), file: "a.yaml")
            == "a.yaml:10: field 'rubric[1].name': aspect 'direct' appears twice")
        #expect(Self.message(Self.aspects.replacingOccurrences(of: "weight: 2", with: "weight: -1"), file: "a.yaml")
            == "a.yaml:9: field 'rubric[0].weight': must be a positive number")
        #expect(Self.message(Self.aspects.replacingOccurrences(of: "max: 3}", with: "max: 3, scale: 4}"), file: "a.yaml")
            == "a.yaml:10: unknown field 'rubric[1].scale' (expected in rubric[1]: name, min, max, weight, description)")
        let schemaMissingAspect = Self.aspects + """

            output:
              json_schema: {type: object, properties: {direct: {type: integer}}, required: [direct]}
            """
        #expect(Self.message(schemaMissingAspect, file: "a.yaml")
            == "a.yaml:12: field 'output.json_schema': has no property 'complete' (required by rubric)")
    }

    @Test func loadingAMissingFileNamesThePath() throws {
        let url = URL(fileURLWithPath: "/nonexistent/dir/mine.yaml")
        #expect {
            try PromptTemplate.load(contentsOf: url)
        } throws: { error in
            (error as? LLMRankError)?.message.hasPrefix("/nonexistent/dir/mine.yaml: cannot read the prompt file") == true
        }
    }

    @Test func aUsersFileLoadsThroughTheLibrary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-prompt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mine.yaml")
        try Self.valid.write(to: file, atomically: true, encoding: .utf8)
        let prompt = try PromptLibrary.resolve(file.path)
        #expect(prompt.name == "good")
        #expect(prompt.source == file.path)

        try Self.replacing("{{document}}", with: "{{doc}}").write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try PromptLibrary.resolve(file.path)
        } throws: { error in
            (error as? LLMRankError)?.message == "\(file.path):9: field 'user': placeholder 'doc' is not one of query, document"
        }
    }
}
