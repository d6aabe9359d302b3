import Testing
@testable import LLMRank

/// Document and query text are data: inserted verbatim, never HTML-escaped, never parsed as a
/// template.
@Suite struct PromptRenderingTests {
    static let tricky = [
        "a & b < c > d \"quoted\" 'single'",
        "<b>bold</b> &amp; &lt;",
        "{{query}} and {{{document}}} and {{#documents}}x{{/documents}}",
        "{{! not a comment }} {{> partial}} {{=<% %>=}} <%query%>",
        "{{% CONTENT_TYPE: HTML}}\n{{query}}",
        "unbalanced {{ and }} and {{{",
        "line one\n\n  indented line\n\ttab\r\nwindows line",
        "émoji 🙂 and NUL-free unicode ∑",
        "",
    ]

    static func pointwise() throws -> PromptTemplate {
        try PromptTemplate.load(yaml: """
            name: t
            method: pointwise
            version: 1
            placeholders: [query, document]
            system: Judge {{query}} fairly.
            user: |
              Q={{query}}
              D={{document}}
              Q3={{{query}}} D&={{& document}}
            repair: Score {{query}} again.
            output:
              scale: {min: 1, max: 3}
              json_schema: {type: object, properties: {score: {type: integer}}, required: [score]}
              text_pattern: 'score: (\\d)'
            """, file: "t.yaml")
    }

    @Test(arguments: tricky)
    func pointwiseInsertsTextVerbatim(text: String) throws {
        let messages = try Self.pointwise().render(query: text, document: text)
        #expect(messages == [
            .system("Judge \(text) fairly."),
            .user("Q=\(text)\nD=\(text)\nQ3=\(text) D&=\(text)"),
        ])
        #expect(try Self.pointwise().renderRepair(query: text).content == "Score \(text) again.")
    }

    @Test func queryInsideDocumentIsNotExpanded() throws {
        let user = try Self.pointwise().render(query: "SECRET-QUERY", document: "see {{query}}")[1].content
        #expect(user.contains("D=see {{query}}"))
        #expect(user.components(separatedBy: "SECRET-QUERY").count == 3)  // Q= and Q3= only
    }

    @Test(arguments: tricky)
    func listwiseInsertsPassagesVerbatimAndNumbersThem(text: String) throws {
        let prompt = try PromptLibrary.named("listwise")
        let passages = [text, "plain", text + " again"]
        let user = try prompt.render(query: text, passages: passages)[1].content
        #expect(user.contains("[1] \(text)\n"))
        #expect(user.contains("[2] plain\n"))
        #expect(user.contains("[3] \(text) again\n"))
        #expect(user.contains("Below are 3 passages"))
        #expect(user.contains("relevant they are to this search query: \(text)\n"))
    }

    @Test func listwiseSectionLinesAreStandalone() throws {
        let prompt = try PromptLibrary.named("listwise")
        let user = try prompt.render(query: "q", passages: ["alpha", "beta"])[1].content
        #expect(user.contains("search query: q\n\n[1] alpha\n\n[2] beta\n\nSearch query: q\n"))
        #expect(!user.hasSuffix("\n"))
    }

    @Test func emptySystemSendsOnlyTheUserMessage() throws {
        let prompt = try PromptTemplate.load(yaml: """
            name: t
            method: yesno
            version: "2"
            placeholders: [query, document]
            system: ""
            user: "{{query}} / {{document}}: Yes or No?"
            repair: Yes or No.
            """, file: "t.yaml")
        #expect(try prompt.render(query: "q", document: "d") == [.user("q / d: Yes or No?")])
        #expect(prompt.methodVersion == "yesno/t/2")
    }

    @Test func firstTemplateLineIsKeptWhenItIsASection() throws {
        // The raw-text pragma is prepended on its own line; a template that starts with a
        // standalone section must render the same as without it.
        let prompt = try PromptTemplate.load(yaml: """
            name: t
            method: listwise
            version: 1
            placeholders: [query, documents]
            system: ""
            user: |-
              {{#documents}}
              ({{rank}}) {{text}}
              {{/documents}}
              {{query}}
            repair: Again.
            """, file: "t.yaml")
        #expect(try prompt.render(query: "q", passages: ["a", "b"]) == [.user("(1) a\n(2) b\nq")])
        #expect(try prompt.render(query: "q", passages: []) == [.user("q")])
    }

    @Test func renderingTheWrongShapeThrowsInsteadOfTrapping() throws {
        let listwise = try PromptLibrary.named("listwise")
        #expect {
            try listwise.render(query: "q", document: "d")
        } throws: { error in
            let e = error as? LLMRankError
            return e?.kind == .invalidInput
                && e?.message == "prompt 'listwise' is a listwise prompt and renders a window of passages: call render(query:passages:), not render(query:document:)"
        }
        let pointwise = try Self.pointwise()
        #expect {
            try pointwise.render(query: "q", passages: ["a", "b"])
        } throws: { error in
            let e = error as? LLMRankError
            return e?.kind == .invalidInput
                && e?.message == "prompt 't' is a pointwise prompt and renders one document: call render(query:document:), not render(query:passages:)"
        }
        #expect(listwise.rendersPassages && !pointwise.rendersPassages)
    }
}
