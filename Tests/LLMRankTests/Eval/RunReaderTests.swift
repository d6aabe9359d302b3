import Foundation
import Testing
@testable import LLMRank

@Suite struct EvalRunReaderTests {
    @Test func rankLLMRunKeepsFileOrderScoresAndQueryIDs() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("run.json", """
            [{"query": "q one", "hits": [
                {"qid": 5, "docid": "b", "content": "B", "score": 2.5, "rank": 1},
                {"qid": 5, "docid": "a", "content": "A", "score": 7, "rank": 2},
                {"qid": 5, "docid": "c", "content": "C", "score": null}]},
             {"query": "q two", "qid": "x9", "hits": []}]
            """)
        let run = try RunReader.readRankLLM(path: path)
        #expect(run.map(\.query) == [Query(id: "5", text: "q one"), Query(id: "x9", text: "q two")])
        #expect(run[0].ids == ["b", "a", "c"])
        #expect(run[0].scores == [2.5, 7, nil])
        #expect(run[0].documents[0].metadata == ["score": 2.5, "rank": 1])
        #expect(run[1].documents.isEmpty)
        let list = run[0].list
        #expect(list.ids == ["b", "a", "c"])
        #expect(list.candidates.map(\.score) == [2.5, 7, nil])
        #expect(list.candidates[1].score(of: "input") == 7)
        // One object (not a list) is one query.
        let single = try dir.write("one.json", #"{"query": "q", "hits": [{"qid": "1", "docid": "d", "content": "t"}]}"#)
        #expect(try RunReader.readRankLLM(path: single).map(\.query.id) == ["1"])
    }

    @Test(arguments: [
        ("[{\"query\": \"q\", \"hits\": [\n {\"qid\": 1, \"docid\": \"a\", \"content\": \"t\"},\n {\"qid\": 2, \"docid\": \"b\", \"content\": \"t\"}]}]",
         "run.json:3: hit has qid '2' but its query has qid '1'"),
        ("[\n{\"query\": \"q\", \"hits\": []}]", "run.json:2: query has no qid (give the object a 'qid' or its hits one)"),
        ("[{\"query\": \"q\", \"qid\": \"1\", \"hits\": []},\n {\"query\": \"r\", \"qid\": \"1\", \"hits\": []}]",
         "run.json:2: duplicate query id '1' (first on line 1)"),
        ("[{\"query\": \"q\", \"qid\": \"1\", \"hits\": [\n {\"docid\": \"a\", \"content\": \"t\", \"score\": \"high\"}]}]",
         "run.json:2: field 'score' must be a finite number or null, found a string"),
        ("[{\"query\": \"q\", \"qid\": \"1\", \"hits\": [\n {\"docid\": \"a\", \"content\": \"t\"},\n {\"content\": \"t\"}]}]",
         "run.json:3: missing field 'id' (or 'docid', '_id')"),
        ("[{\"query\": \"q\", \"qid\": \"1\", \"hits\": [\n {\"docid\": \"a\", \"content\": \"t\"},\n {\"docid\": \"a\", \"content\": \"u\"}]}]",
         "run.json:3: duplicate id 'a' (first on line 2)"),
        ("[{\"query\": \"q\", \"qid\": \"1\", \"hits\": [\n {\"docid\": \"a\", \"content\": \"t\"}\n ]},\n]",
         "run.json:4: invalid JSON at column 1: unexpected character ']', expected a value"),
    ])
    func rankLLMErrorsNameFileAndLine(input: String, message: String) throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("run.json", input)
        #expect(evalInvalidInputMessage { _ = try RunReader.readRankLLM(path: path) }
            == message.replacingOccurrences(of: "run.json", with: path))
    }

    @Test func emptyRunsGiveNoQueries() throws {
        let dir = try EvalScratchDir()
        #expect(try RunReader.readRankLLM(path: try dir.write("e.json", "")).isEmpty)
        #expect(try RunReader.readRankLLM(path: try dir.write("e2.json", " [ ] ")).isEmpty)
        let corpus = try dir.write("c.tsv", "")
        let topics = try dir.write("t.tsv", "")
        #expect(try RunReader.readTREC(run: try dir.write("r.trec", "\n"), corpus: corpus, topics: topics).isEmpty)
    }

    @Test(.needsSharedData) func dl19BM25RunReads() throws {
        let run = try RunReader.readRankLLM(path: try EvalPaths.sharedData("trec-dl19/bm25-top100.json"))
        #expect(run.count == 43)
        #expect(run.allSatisfy { $0.documents.count == 100 })
        #expect(run[0].query == Query(id: "264014", text: "how long is life cycle of flea"))
        #expect(run[0].ids.prefix(2) == ["5611210", "6641238"])
        #expect(run[0].scores[0] == 15.780599594116211)
    }

    /// A TREC run is put in trec_eval's order: score descending, ties by docid descending (byte-wise),
    /// whatever the rank column and line order say.
    @Test func trecRunTakesTrecEvalOrder() throws {
        let dir = try EvalScratchDir()
        let run = try dir.write("run.trec", """
            t Q0 e 1 0.5 x
            t Q0 a 2 2 x
            t Q0 b 3 1.0 x
            s Q0 z 1 1 x
            t Q0 D 4 1 x
            t Q0 c 5 1 x
            t Q0 aa 6 2.0 x
            t Q0 d 7 1e0 x
            """)
        let corpus = try dir.write("corpus.jsonl", ["a", "b", "c", "d", "e", "D", "aa", "z", "unused"]
            .map { #"{"id": "\#($0)", "text": "text of \#($0)", "lang": "en"}"# }.joined(separator: "\n"))
        let topics = try dir.write("topics.tsv", "qid\tquery\nt\tthe query\ns\tsecond\nextra\tnot in run\n")
        let queries = try RunReader.readTREC(run: run, corpus: corpus, topics: topics)
        #expect(queries.map(\.query) == [Query(id: "t", text: "the query"), Query(id: "s", text: "second")])
        #expect(queries[0].ids == ["aa", "a", "d", "c", "b", "D", "e"])
        #expect(queries[0].scores == [2, 2, 1, 1, 1, 1, 0.5])
        #expect(queries[0].documents[0] == Document(id: "aa", text: "text of aa", metadata: ["lang": "en"]))
        #expect(queries[1].ids == ["z"])
    }

    @Test(arguments: [
        ("q Q0 a 1 1.0 x\nq Q0 b 2 0.5\n", "run.trec:2: expected 6 fields 'qid Q0 docid rank score tag', found 5"),
        ("q Q0 a 1 1.0 x\nq Q0 b two 0.5 x\n", "run.trec:2: rank 'two' is not an integer"),
        ("q Q0 a 1 1.0 x\n\nq Q0 b 2 high x\n", "run.trec:3: score 'high' is not a finite number"),
        ("q Q0 a 1 1.0 x\nq Q0 b 2 nan x\n", "run.trec:2: score 'nan' is not a finite number"),
        ("q Q0 a 1 1.0 x\nq Q0 b 2 0.5 x\nq Q0 a 3 0.2 x\n", "run.trec:3: duplicate document 'a' for query 'q' (first on line 1)"),
        ("q Q0 a 1 1.0 x\nq Q0 gone 2 0.5 x\n", "run.trec:2: document 'gone' is not in the corpus CORPUS"),
        ("q Q0 a 1 1.0 x\nnoq Q0 a 1 1.0 x\n", "run.trec:2: query 'noq' is not in the topics TOPICS"),
    ])
    func trecRunErrorsNameFileAndLine(input: String, message: String) throws {
        let dir = try EvalScratchDir()
        let run = try dir.write("run.trec", input)
        let corpus = try dir.write("corpus.tsv", "a\tA\nb\tB\n")
        let topics = try dir.write("topics.tsv", "q\tquery\n")
        let want = message.replacingOccurrences(of: "run.trec", with: run)
            .replacingOccurrences(of: "CORPUS", with: corpus).replacingOccurrences(of: "TOPICS", with: topics)
        #expect(evalInvalidInputMessage { _ = try RunReader.readTREC(run: run, corpus: corpus, topics: topics) } == want)
    }

    @Test func corpusAndTopicsErrorsNameTheirFiles() throws {
        let dir = try EvalScratchDir()
        let run = try dir.write("run.trec", "q Q0 a 1 1.0 x\n")
        let topics = try dir.write("topics.tsv", "q\tquery\n")
        let badCorpus = try dir.write("corpus.jsonl", "{\"id\": \"a\", \"text\": \"A\"}\n{\"id\": \"b\"}\n")
        #expect(evalInvalidInputMessage { _ = try RunReader.readTREC(run: run, corpus: badCorpus, topics: topics) }
            == "\(badCorpus):2: missing field 'text' (or 'content', 'contents', 'passage')")
        let corpus = try dir.write("corpus.tsv", "a\tA\n")
        let badTopics = try dir.write("t.tsv", "q\tquery\nq\tagain\n")
        #expect(evalInvalidInputMessage { _ = try RunReader.readTREC(run: run, corpus: corpus, topics: badTopics) }
            == "\(badTopics):2: duplicate id 'q' (first on line 1)")
        let txt = try dir.write("corpus.txt", "A\n")
        #expect(evalInvalidInputMessage { _ = try RunReader.readTREC(run: run, corpus: txt, topics: topics) }
            == "\(txt): a corpus must be .tsv (id<TAB>text) or .jsonl")
    }

    /// NovelEval written as a TREC run and read back with corpus.tsv and queries.tsv is the same
    /// run as its data.json.
    @Test(.needsSharedData) func novelEvalTRECRunWithCorpusAndTopicsEqualsItsJSON() throws {
        let json = try RunReader.readRankLLM(path: try EvalPaths.sharedData("noveleval/data.json"))
        let dir = try EvalScratchDir()
        let runPath = dir.path("noveleval.trec")
        try TRECRunWriter.write(json.map { (queryID: $0.query.id, list: $0.list) }, tag: "google", to: runPath)
        let trec = try RunReader.readTREC(run: runPath, corpus: try EvalPaths.sharedData("noveleval/corpus.tsv"),
                                          topics: try EvalPaths.sharedData("noveleval/queries.tsv"))
        #expect(trec.map(\.query) == json.map(\.query))
        #expect(trec.map(\.ids) == json.map(\.ids))
        #expect(trec.map { $0.documents.map(\.text) } == json.map { $0.documents.map(\.text) })
        #expect(trec.map(\.scores) == json.map(\.scores))
    }
}
