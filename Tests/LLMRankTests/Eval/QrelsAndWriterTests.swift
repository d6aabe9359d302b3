import Foundation
import Testing
@testable import LLMRank

@Suite struct EvalQrelsReaderTests {
    @Test func trecQrelsIgnoreTheIterationField() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("qrels.txt", "1 0 a 2\n1 Q0 b 0\n\n2\t0\ta -1\r\n")
        let qrels = try QrelsReader.read(path: path)
        #expect(qrels.judgments == ["1": ["a": 2, "b": 0], "2": ["a": -1]])
        #expect(qrels.queryIDs == ["1", "2"])
        #expect(qrels.count == 3)
    }

    @Test func jsonQrelsTakeStringAndNumberGrades() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("qrels.json", #"  {"1": {"a": "2", "b": 0, "c": 3.0}, "2": {}}"#)
        #expect(try QrelsReader.read(path: path).judgments == ["1": ["a": 2, "b": 0, "c": 3], "2": [:]])
    }

    @Test(arguments: [
        ("1 0 a 2\n1 0 b\n", "qrels.txt:2: expected 4 fields 'qid iteration docid grade', found 3"),
        ("1 0 a 2\n1 0 b high\n", "qrels.txt:2: grade 'high' is not an integer"),
        ("1 0 a 2\n1 0 b 1.5\n", "qrels.txt:2: grade '1.5' is not an integer"),
        ("1 0 a 2\n2 0 a 1\n1 0 a 0\n", "qrels.txt:3: duplicate judgment of 'a' for query '1' (first on line 1)"),
        ("{\"1\": {\"a\": \"2\",\n \"b\": \"x\"}}", "qrels.txt:2: grade \"x\" of 'b' is not an integer"),
        ("{\"1\": {\"a\": 2,\n \"b\": 1.5}}", "qrels.txt:2: grade 1.5 of 'b' is not an integer"),
        ("{\"1\": {\"a\": 2,\n \"b\": null}}", "qrels.txt:2: grade of 'b' must be an integer or a string holding one, found null"),
        ("{\"1\": {\"a\": 2},\n \"1\": {}}", "qrels.txt:2: duplicate query '1' (first on line 1)"),
        ("{\"1\": {\"a\": 2,\n\n \"a\": 1}}", "qrels.txt:3: duplicate judgment of 'a' for query '1' (first on line 1)"),
        ("{\"1\": [\"a\"]}", "qrels.txt:1: judgments of query '1' must be an object {docid: grade}, found an array"),
        ("{\"1\": {\"a\": 2}\n", "qrels.txt:2: invalid JSON at column 1: unexpected end of input, expected ',' or '}'"),
    ])
    func errorsNameFileAndLine(input: String, message: String) throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("qrels.txt", input)
        #expect(evalInvalidInputMessage { _ = try QrelsReader.read(path: path) }
            == message.replacingOccurrences(of: "qrels.txt", with: path))
    }

    @Test func emptyQrelsAreEmpty() throws {
        let dir = try EvalScratchDir()
        #expect(try QrelsReader.read(path: try dir.write("q.txt", "")).judgments.isEmpty)
        #expect(try QrelsReader.read(path: try dir.write("q.json", "\n{}\n")).judgments.isEmpty)
    }

    @Test(.needsSharedData) func sharedQrelsRead() throws {
        let dl19 = try QrelsReader.read(path: try EvalPaths.sharedData("trec-dl19/qrels.json"))
        #expect(dl19.judgments.count == 43)
        #expect(dl19.count == 9260)
        let novel = try QrelsReader.read(path: try EvalPaths.sharedData("noveleval/qrels.txt"))
        #expect(novel.judgments.count == 21)
        #expect(novel.count == 420)
        #expect(novel["0"]?["0-3"] == 2)
    }
}

@Suite struct EvalTRECRunWriterTests {
    func list(_ ids: [String], scores: [Double?]) -> RankedList {
        RankedList(candidates: zip(ids, scores).enumerated().map { i, p in
            Candidate(document: Document(id: p.0, text: "t"), score: p.1, rank: i + 1)
        })
    }

    @Test func writesTheListsScoresWhenTheyFallStrictly() throws {
        let text = try TRECRunWriter.format([(queryID: "q1", list: list(["b", "a"], scores: [0.75, 1e-5]))], tag: "mine")
        #expect(text == "q1 Q0 b 1 0.75 mine\nq1 Q0 a 2 1e-05 mine\n")
    }

    @Test(arguments: [
        [Double?]([nil, nil, nil]), [3, nil, 1], [2, 2, 1], [1, 2, 3], [3, .infinity, 1],
    ])
    func writesRankDerivedScoresOtherwise(scores: [Double?]) throws {
        let text = try TRECRunWriter.format([(queryID: "q", list: list(["x", "y", "z"], scores: scores))])
        #expect(text == "q Q0 x 1 3.0 llmrank\nq Q0 y 2 2.0 llmrank\nq Q0 z 3 1.0 llmrank\n")
    }

    /// Whatever the scores, trec_eval's re-sort (our TREC reader) gives back the written order.
    @Test func roundTripsThroughTheReaderInOrder() throws {
        let dir = try EvalScratchDir()
        let ids = ["d9", "d1", "d5", "d10", "d2", "d3"]
        let runs: [(queryID: String, list: RankedList)] = [
            (queryID: "q1", list: list(ids, scores: [nil, nil, nil, nil, nil, nil])),
            (queryID: "q2", list: list(ids.reversed(), scores: [5, 5, 5, 1, 1, 1])),
            (queryID: "q3", list: list(ids, scores: [9.5, 3.25, 1, 0.5, -2, -7.125])),
            (queryID: "q4", list: list([], scores: [])),
        ]
        let runPath = dir.path("out.trec")
        try TRECRunWriter.write(runs, to: runPath)
        let corpus = try dir.write("c.tsv", ids.map { "\($0)\ttext \($0)" }.joined(separator: "\n"))
        let topics = try dir.write("t.tsv", "q1\tone\nq2\ttwo\nq3\tthree\nq4\tfour\n")
        let back = try RunReader.readTREC(run: runPath, corpus: corpus, topics: topics)
        // An empty list writes no line, so q4 does not come back.
        #expect(back.map(\.query.id) == ["q1", "q2", "q3"])
        #expect(back.map(\.ids) == runs.prefix(3).map(\.list.ids))
        #expect(back[2].scores == [9.5, 3.25, 1, 0.5, -2, -7.125])
        #expect(back[0].documents[0].text == "text d9")
    }

    @Test func rejectsFieldsWithWhitespace() {
        #expect(evalInvalidInputMessage { _ = try TRECRunWriter.format([(queryID: "q 1", list: list(["a"], scores: [nil]))]) }
            == "query id 'q 1' cannot be written to a TREC run: it is empty or holds whitespace")
        #expect(evalInvalidInputMessage { _ = try TRECRunWriter.format([(queryID: "q", list: list(["a\tb"], scores: [nil]))]) }
            == "document id 'a\tb' cannot be written to a TREC run: it is empty or holds whitespace")
        #expect(evalInvalidInputMessage { _ = try TRECRunWriter.format([], tag: "") }
            == "run tag '' cannot be written to a TREC run: it is empty or holds whitespace")
    }
}
