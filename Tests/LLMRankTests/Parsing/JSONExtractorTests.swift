import Testing
@testable import LLMRank

extension ParsingTests {
    @Suite struct JSONExtractorTests {
        @Test func findsAnObjectInsideChatter() {
            let reply = "Sure! Here is my judgment:\n```json\n{\"score\": 3, \"reason\": \"covers it\"}\n```\nLet me know."
            #expect(JSONExtractor.firstObject(in: reply) == ["score": 3, "reason": "covers it"])
        }

        @Test func readsLenientSpellings() {
            #expect(JSONExtractor.parse("{'a': 'x', b: True, \"c\": None, 'd': [1, 2,],}") ==
                ["a": "x", "b": true, "c": nil, "d": [1, 2]])
            #expect(JSONExtractor.parse("{\"a\": +4, /* note */ \"b\": -2.5e1 // end\n}") == ["a": 4, "b": -25])
            #expect(JSONExtractor.parse("{\"text\": \"line one\nline two\"}") == ["text": "line one\nline two"])
        }

        @Test func decodesEscapes() {
            #expect(JSONExtractor.parse(#"["a\"b", "\u00e9", "\ud83d\ude00", "\ud83d", "it\'s"]"#) ==
                ["a\"b", "é", "😀", "\u{FFFD}", "it's"])
        }

        @Test func rejectsWhatIsNotJSON() {
            #expect(JSONExtractor.parse("{score: }") == nil)
            #expect(JSONExtractor.parse("{\"a\" 1}") == nil)
            #expect(JSONExtractor.parse("[1, 2") == nil)
            #expect(JSONExtractor.parse("{\"a\": 1} trailing") == nil)
            #expect(JSONExtractor.parse("maybe") == nil)
            #expect(JSONExtractor.firstObject(in: "no braces here, {just prose}") == nil)
        }

        @Test func reportsOutermostValuesInOrder() {
            let values = JSONExtractor.values(in: "first {\"a\": {\"b\": 1}} then [2] > [1] and {\"c\": [3]}")
            #expect(values == [["a": ["b": 1]], [2], [1], ["c": [3]]])
            #expect(JSONExtractor.objects(in: "[{\"x\": 1}, {\"y\": 2}]") == [["x": 1], ["y": 2]])
        }

        @Test func onlyValueIsForRepliesThatAreJustJSON() {
            #expect(JSONExtractor.onlyValue(in: "  {\"a\": 1}\n") == ["a": 1])
            #expect(JSONExtractor.onlyValue(in: "```json\n{\"a\": 1}\n```") == ["a": 1])
            #expect(JSONExtractor.onlyValue(in: "```\n[1, 2]\n```") == [1, 2])
            #expect(JSONExtractor.onlyValue(in: "Here: {\"a\": 1}") == nil)
            #expect(JSONExtractor.onlyValue(in: "```json\n{\"a\": 1}") == nil)
            #expect(JSONExtractor.onlyValue(in: "```") == nil)
        }

        @Test func deepNestingFailsInsteadOfOverflowing() {
            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            #expect(JSONExtractor.parse(deep) == nil)
            let fine = String(repeating: "[", count: 30) + String(repeating: "]", count: 30)
            #expect(JSONExtractor.parse(fine) != nil)
        }
    }
}
