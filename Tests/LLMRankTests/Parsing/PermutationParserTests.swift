import Testing
@testable import LLMRank

/// 1-based ids as the reply names them, for readable expectations.
private func ids(_ parsed: ParsedPermutation) -> [Int] { parsed.order.map { $0 + 1 } }

extension ParsingTests {
    @Suite struct PermutationParserTests {
        @Test(arguments: [
            ("[2] > [1] > [3]", [2, 1, 3]),
            ("[2],[1],[3]", [2, 1, 3]),
            ("[2] [3] [1]", [2, 3, 1]),
            ("[ 3 ] > [ 1 ] > [ 2 ]", [3, 1, 2]),
            ("【2】>【3】>【1】", [2, 3, 1]),
            ("［２］＞［３］＞［１］", [2, 3, 1]),
            ("1. [3]\n2. [1]\n3. [2]", [3, 1, 2]),
            ("The ranking is: [3] > [2] > [1].", [3, 2, 1]),
            ("[2] > [1] = [3]", [2, 1, 3]),
            ("I ranked 3 passages: [2] > [3] > [1]", [2, 3, 1]),
            ("<think>[1] > [2] > [3]? No.</think>[3] > [1] > [2]", [3, 1, 2]),
            ("[03] > [1] > [2]", [3, 1, 2]),
        ])
        func readsAWellFormedRanking(_ reply: String, _ expected: [Int]) throws {
            let parsed = try PermutationParser.parse(reply, count: 3).get()
            #expect(ids(parsed) == expected)
            #expect(parsed.flags.isEmpty)
        }

        @Test(arguments: [
            "Based on relevance, the ranking is:\n\n[3] > [1] > [5] > [2] > [4]\n\nExplanation:\n- [3] directly answers.\n- [1] partially.",
            "Here is the ranking of the 5 passages:\n1. [3]\n2. [1]\n3. [5]\n4. [2]\n5. [4]",
            "Passage [3] > Passage [1] > Passage [5] > Passage [2] > Passage [4]",
            "[3] > [1] > [5],\n[2] > [4]",
            "```\n[3] > [1] > [5] > [2] > [4]\n```",
            "[3] (most relevant) > [1] > [5] > [2] > [4] (least relevant)",
            "[3] - most relevant\n[1] - mentions the topic\n[5] - tangential\n[2]\n[4]",
            "[3] > [1] > [5] > [2] > [4]\n\nNote: passages [2] and [4] are not relevant.",
            "[3] > [1] > [5] > [2] > [4]\n[3] is the most relevant because it answers directly.",
            "The most relevant are [1] and [2]; overall: [3] > [1] > [5] > [2] > [4]",
        ])
        func readsRealReplyStyles(_ reply: String) throws {
            let parsed = try PermutationParser.parse(reply, count: 5).get()
            #expect(ids(parsed) == [3, 1, 5, 2, 4])
            #expect(parsed.flags.isEmpty)
        }

        @Test func strayNumbersAreNotIds() throws {
            // rank_llm's cleaner keeps every digit and reads "20" as an id here.
            let parsed = try PermutationParser.parse("I ranked 20 passages: [2] > [1]", count: 2).get()
            #expect(ids(parsed) == [2, 1])
            #expect(parsed.flags.isEmpty)
            let wider = try PermutationParser.parse("I ranked 20 passages: [2] > [1]", count: 4).get()
            #expect(ids(wider) == [2, 1, 3, 4])
            #expect(wider.flags == [Flag(.permutationRepaired, "missing [3], [4]")])
        }

        @Test func theRankingChainBeatsIdsInTheChatter() throws {
            let reply = "Passage [3] is off-topic and [4] is a duplicate of [1].\n\nRanking: [2] > [1] > [4] > [3]"
            let parsed = try PermutationParser.parse(reply, count: 4).get()
            #expect(ids(parsed) == [2, 1, 4, 3])
            #expect(parsed.flags.isEmpty)
        }

        @Test func explanationAfterTheChainIsIgnored() throws {
            let reply = "[2] > [3] > [1]\n\n[2] is the most relevant because it answers directly; [1] is off-topic."
            let parsed = try PermutationParser.parse(reply, count: 3).get()
            #expect(ids(parsed) == [2, 3, 1])
            #expect(parsed.flags.isEmpty)
        }

        @Test func theLastOfEquallyLongChainsWins() throws {
            let reply = "First guess: [1] > [2] > [3]. After rereading, final: [3] > [2] > [1]"
            #expect(ids(try PermutationParser.parse(reply, count: 3).get()) == [3, 2, 1])
        }

        @Test func scatteredIdsCountInOrder() throws {
            let parsed = try PermutationParser.parse("[2] is best, then [3], and finally [1].", count: 3).get()
            #expect(ids(parsed) == [2, 3, 1])
            #expect(parsed.flags.isEmpty)
        }

        @Test func repairsDuplicatesOutOfRangeAndMissingWithFlags() throws {
            let parsed = try PermutationParser.parse("[4] > [2] > [4] > [9] > [0] > [2] > [1]", count: 7).get()
            #expect(ids(parsed) == [4, 2, 1, 3, 5, 6, 7])
            #expect(parsed.flags == [
                Flag(.permutationRepaired, "missing [3], [5], [6], [7]"),
                Flag(.permutationRepaired, "dropped duplicate [4], [2]"),
                Flag(.permutationRepaired, "dropped out-of-range [9], [0]"),
            ])
        }

        @Test func hugeIdsAreOutOfRange() throws {
            let parsed = try PermutationParser.parse("[2] > [99999999999999999999999] > [1]", count: 2).get()
            #expect(ids(parsed) == [2, 1])
            #expect(parsed.flags == [Flag(.permutationRepaired, "dropped out-of-range [99999999999999999999999]")])
        }

        @Test func zeroBasedReplyIsShifted() throws {
            let parsed = try PermutationParser.parse("[2] > [0] > [1]", count: 3).get()
            #expect(ids(parsed) == [3, 1, 2])
            #expect(parsed.flags == [Flag(.permutationRepaired, "read ids as 0-based")])
        }

        @Test func jsonListWhenThereAreNoBracketedIds() throws {
            let parsed = try PermutationParser.parse(#"{"ranking": [3, 1, 2], "confidence": 0.8}"#, count: 3).get()
            #expect(ids(parsed) == [3, 1, 2])
            #expect(parsed.flags == [Flag(.permutationRepaired, "no [n] ids; read the JSON list [3, 1, 2]")])
            let bare = try PermutationParser.parse("[2, 3, 1]", count: 3).get()
            #expect(ids(bare) == [2, 3, 1])
        }

        @Test func bareChainWhenThereAreNoBracketedIds() throws {
            let parsed = try PermutationParser.parse("Out of 3 passages: 2 > 3 > 1", count: 3).get()
            #expect(ids(parsed) == [2, 3, 1])
            #expect(parsed.flags == [Flag(.permutationRepaired, "no [n] ids; read the chain 2 > 3 > 1")])
            let named = try PermutationParser.parse("Passage 3 > Passage 1 > #2", count: 3).get()
            #expect(ids(named) == [3, 1, 2])
        }

        @Test func bareChainIsIgnoredWhenBracketedIdsExist() throws {
            let parsed = try PermutationParser.parse("2 > 1 > 3, so [1] > [2]", count: 3).get()
            #expect(ids(parsed) == [1, 2, 3])
            #expect(parsed.flags == [Flag(.permutationRepaired, "missing [3]")])
        }

        @Test func failures() {
            for (reply, reason) in [
                ("I cannot rank these passages.", "no passage identifiers like [1] in the reply"),
                ("[7] > [9]", "no identifier between [1] and [3] (read [7], [9])"),
                ("", "empty reply"),
                ("1, 2, 3", "no passage identifiers like [1] in the reply"),
            ] {
                guard case .failure(let failure) = PermutationParser.parse(reply, count: 3) else {
                    Issue.record("expected a failure for \(reply)")
                    continue
                }
                #expect(failure.reason == reason)
                #expect(failure.excerpt == ParseFailure.excerpt(of: reply))
            }
        }

        @Test func emptyWindowIsTheEmptyPermutation() throws {
            #expect(try PermutationParser.parse("anything", count: 0).get().order.isEmpty)
        }

        @Test func repairWorksOnIdsFromElsewhere() throws {
            let parsed = try PermutationParser.repair(identifiers: [3, 3, 1], count: 4).get()
            #expect(ids(parsed) == [3, 1, 2, 4])
            #expect(parsed.flags.count == 2)
        }

        @Test func promptPatternReplacesTheBracketReader() throws {
            let parsed = try PermutationParser.parse("Passage 20 of 20 read. <3> > <1> > <3> > <2>", count: 3,
                                                     pattern: #"<(\d+)>"#).get()
            #expect(ids(parsed) == [3, 1, 2])
            #expect(parsed.flags == [Flag(.permutationRepaired, "dropped duplicate [3]")])
            // The default pattern is the built-in reader (full-width brackets included).
            let shipped = try PermutationParser.parse("【2】 > 【1】", count: 2, pattern: #"\[(\d+)\]"#).get()
            #expect(ids(shipped) == [2, 1])
        }

        @Test func formatIsWhatParseReads() {
            #expect(PermutationParser.format([1, 0, 2]) == "[2] > [1] > [3]")
        }

        @Test func longListsOfIdsAreShortenedInFlags() throws {
            let parsed = try PermutationParser.parse("[1]", count: 30).get()
            #expect(parsed.flags.first?.detail == "missing [2], [3], [4], [5], [6], [7], [8], [9], [10], [11] and 19 more")
        }
    }
}
