import Foundation
import Testing
@testable import LLMRank

@Suite struct EvalDocumentReaderTests {
    @Test func jsonlReadsIDAndTextAliasesAndKeepsOtherFieldsAsMetadata() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("docs.jsonl", """
            {"id": "a", "text": "alpha", "title": "T", "year": 2023}

            {"docid": 7, "content": "seven"}
            {"_id": "b", "contents": "bee", "tags": ["x", null]}
            {"id": "c", "docid": "other", "passage": "sea", "text": "preferred"}
            """)
        let (query, docs) = try DocumentReader.read(path: path)
        #expect(query == nil)
        #expect(docs.map(\.id) == ["a", "7", "b", "c"])
        #expect(docs.map(\.text) == ["alpha", "seven", "bee", "preferred"])
        #expect(docs[0].metadata == ["title": "T", "year": 2023])
        #expect(docs[1].metadata.isEmpty)
        #expect(docs[2].metadata == ["tags": ["x", nil]])
        // The unused aliases stay in metadata.
        #expect(docs[3].metadata == ["docid": "other", "passage": "sea"])
    }

    @Test func jsonlKeepsLargeIntegerIDsExactly() throws {
        let (_, docs) = try DocumentReader.parse(Data(#"{"id": 12345678901234567890, "text": "x"}"#.utf8),
                                                 name: "big.jsonl", format: .jsonl)
        #expect(docs.map(\.id) == ["12345678901234567890"])
    }

    @Test(arguments: [
        (#"{"id": "a", "text": "x"}\#n{"id": "b", "text": "y"\#n"#, "docs.jsonl:2: invalid JSON at column 24: unexpected end of input, expected ',' or '}'"),
        (#"{"id": "a", "text": "x"}\#n{"id": "b"}"#, "docs.jsonl:2: missing field 'text' (or 'content', 'contents', 'passage')"),
        (#"{"text": "x"}"#, "docs.jsonl:1: missing field 'id' (or 'docid', '_id')"),
        (#"["a", "x"]"#, "docs.jsonl:1: expected a JSON object, found an array"),
        (#"{"id": "a", "text": 3}"#, "docs.jsonl:1: field 'text' must be a string, found a number"),
        (#"{"id": 1.5, "text": "x"}"#, "docs.jsonl:1: field 'id' must be a string or an integer, found a number"),
        (#"{"id": "", "text": "x"}"#, "docs.jsonl:1: field 'id' is empty"),
        (#"{"id": "a", "text": "x"} trailing"#, "docs.jsonl:1: invalid JSON at column 26: unexpected character 't' after the JSON value"),
        ("\n\n{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"y\"}", "docs.jsonl:4: duplicate id 'a' (first on line 3)"),
    ])
    func jsonlErrorsNameFileAndLine(input: String, message: String) throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("docs.jsonl", input)
        let got = evalInvalidInputMessage { _ = try DocumentReader.read(path: path) }
        #expect(got == message.replacingOccurrences(of: "docs.jsonl", with: path))
    }

    /// Standard input (`-`) is read in chunks from a handle; lines and multi-byte characters that
    /// straddle chunks come out whole.
    @Test func jsonlFromAPipeInSmallChunks() throws {
        let pipe = Pipe()
        let text = "{\"id\": \"é1\", \"text\": \"naïve café\"}\r\n\n{\"id\": \"d2\", \"text\": \"😀 x\"}"
        pipe.fileHandleForWriting.write(Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        let (_, piped) = try DocumentReader.read(.handle(pipe.fileHandleForReading, name: "<stdin>", chunkSize: 1),
                                                 format: .jsonl, keep: nil)
        #expect(piped.map(\.id) == ["é1", "d2"])
        #expect(piped.map(\.text) == ["naïve café", "😀 x"])
        let dir = try EvalScratchDir()
        let path = try dir.write("d.jsonl", text)
        for size in [2, 3, 7, 64] {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let (_, docs) = try DocumentReader.read(.handle(handle, name: "<stdin>", chunkSize: size), format: .jsonl, keep: nil)
            #expect(docs.map(\.text) == ["naïve café", "😀 x"], "chunk size \(size)")
        }
        let bad = "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"y\"}\n"
        let p2 = Pipe()
        p2.fileHandleForWriting.write(Data(bad.utf8))
        try p2.fileHandleForWriting.close()
        #expect(evalInvalidInputMessage { _ = try DocumentReader.read(.handle(p2.fileHandleForReading, name: "<stdin>", chunkSize: 4), format: .jsonl, keep: nil) }
            == "<stdin>:2: duplicate id 'a' (first on line 1)")
    }

    @Test func invalidUTF8IsAnErrorWithItsLine() throws {
        var data = Data("{\"id\": \"a\", \"text\": \"x\"}\n".utf8)
        data.append(contentsOf: [0x7B, 0xFF, 0x7D, 0x0A])
        let got = evalInvalidInputMessage { _ = try DocumentReader.parse(data, name: "d.jsonl", format: .jsonl) }
        #expect(got == "d.jsonl:2: not valid UTF-8")
    }

    @Test func tsvSkipsAHeaderUnquotesCSVStyleFieldsAndKeepsTabsInText() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("docs.tsv", """
            docid\ttext\r
            d1\tplain text with "quotes" inside\r
            d2\t"quoted ""field"" with\ta tab"

            d3\ttext\twith\ttabs
            d4\t"not closed
            d5\t
            """)
        let (_, docs) = try DocumentReader.read(path: path)
        #expect(docs.map(\.id) == ["d1", "d2", "d3", "d4", "d5"])
        #expect(docs.map(\.text) == [
            #"plain text with "quotes" inside"#, "quoted \"field\" with\ta tab", "text\twith\ttabs", "\"not closed", "",
        ])
    }

    @Test func tsvHeaderIsOnlyTheFirstLine() throws {
        let (_, docs) = try DocumentReader.parse(Data("a\tx\nid\ttext\n".utf8), name: "d.tsv", format: .tsv)
        #expect(docs.map(\.id) == ["a", "id"])
    }

    @Test(arguments: [
        ("d1\tone\nd2 two\n", "docs.tsv:2: expected 'id<TAB>text', found no tab"),
        ("d1\tone\n\tno id\n", "docs.tsv:2: empty id"),
        ("d1\tone\nd3\tx\nd2\ty\n\nd3\tagain\n", "docs.tsv:5: duplicate id 'd3' (first on line 2)"),
    ])
    func tsvErrorsNameFileAndLine(input: String, message: String) throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("docs.tsv", input)
        let got = evalInvalidInputMessage { _ = try DocumentReader.read(path: path) }
        #expect(got == message.replacingOccurrences(of: "docs.tsv", with: path))
    }

    @Test func txtUsesLineNumbersAsIDsAndSkipsBlankLines() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("docs.txt", "first doc\n\n  \nfourth line\tkeeps tab\nlast")
        let (_, docs) = try DocumentReader.read(path: path)
        #expect(docs.map(\.id) == ["1", "4", "5"])
        #expect(docs.map(\.text) == ["first doc", "fourth line\tkeeps tab", "last"])
    }

    @Test func rankLLMJSONGivesTheQueryAndTheHits() throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("q.json", """
            {"query": "what is x",
             "hits": [
               {"docid": "p1", "content": "x is", "score": 3.5, "rank": 1, "qid": 9},
               {"docid": 42, "content": "other", "score": 1.0, "rank": 2, "qid": 9}
             ]}
            """)
        let (query, docs) = try DocumentReader.read(path: path)
        #expect(query == "what is x")
        #expect(docs.map(\.id) == ["p1", "42"])
        #expect(docs[0].metadata == ["score": 3.5, "rank": 1, "qid": 9])
        // A list holding one query works too.
        let listed = try dir.write("l.json", "[{\"query\": \"q\", \"hits\": [{\"docid\": \"a\", \"content\": \"t\"}]}]")
        #expect(try DocumentReader.read(path: listed).documents.map(\.id) == ["a"])
    }

    @Test(arguments: [
        ("{\"query\": \"q\",\n \"hits\": [\n  {\"docid\": \"a\", \"content\": \"t\"},\n  {\"docid\": \"b\"}]}", "q.json:4: missing field 'text' (or 'content', 'contents', 'passage')"),
        ("{\"query\": \"q\"}", "q.json:1: missing field 'hits'"),
        ("{\"hits\": []}", "q.json:1: missing field 'query'"),
        ("{\"query\": 1, \"hits\": []}", "q.json:1: field 'query' must be a string, found a number"),
        ("{\"query\": \"q\",\n \"hits\": {}}", "q.json:2: field 'hits' must be an array, found an object"),
        ("[{\"query\": \"a\", \"hits\": []},\n {\"query\": \"b\", \"hits\": []}]", "q.json:1: holds 2 queries; rerank takes one (evaluate a run with `llmrank eval`)"),
        ("{\"query\": \"q\",\n \"hits\": [\n  {\"docid\": \"a\", \"content\": \"t\"},\n  {\"docid\": \"a\", \"content\": \"u\"}]}", "q.json:4: duplicate id 'a' (first on line 3)"),
        ("{\"query\": \"q\",\n \"hits\": [\n  {\"docid\": \"a\" \"content\": \"t\"}]}", "q.json:3: invalid JSON at column 17: unexpected character '\"', expected ',' or '}'"),
        ("\"just a string\"", "q.json:1: expected a {\"query\", \"hits\"} object, found a string"),
    ])
    func rankLLMErrorsNameFileAndLine(input: String, message: String) throws {
        let dir = try EvalScratchDir()
        let path = try dir.write("q.json", input)
        let got = evalInvalidInputMessage { _ = try DocumentReader.read(path: path) }
        #expect(got == message.replacingOccurrences(of: "q.json", with: path))
    }

    @Test(arguments: ["docs.jsonl", "docs.tsv", "docs.txt", "docs.json"])
    func emptyFilesGiveNoDocuments(name: String) throws {
        let dir = try EvalScratchDir()
        for content in ["", "\n\n", "  \n"] {
            let path = try dir.write(name, content)
            let (query, docs) = try DocumentReader.read(path: path)
            #expect(docs.isEmpty)
            #expect(query == nil)
        }
        if name.hasSuffix(".json") {
            #expect(try DocumentReader.read(path: try dir.write(name, "[]")).documents.isEmpty)
            let noHits = try DocumentReader.read(path: try dir.write(name, #"{"query": "q", "hits": []}"#))
            #expect(noHits.query == "q" && noHits.documents.isEmpty)
        }
    }

    @Test func unknownExtensionAndMissingFileAreErrors() throws {
        let dir = try EvalScratchDir()
        let csv = try dir.write("docs.csv", "a,b\n")
        #expect(evalInvalidInputMessage { _ = try DocumentReader.read(path: csv) }
            == "\(csv): unknown document format; use .jsonl, .tsv, .txt or .json (rank_llm)")
        // An explicit format overrides the extension.
        #expect(try DocumentReader.read(path: csv, format: .txt).documents.map(\.text) == ["a,b"])
        let missing = dir.path("nope.jsonl")
        #expect(evalInvalidInputMessage { _ = try DocumentReader.read(path: missing) } == "\(missing): no such file")
        #expect(DocumentFormat(path: "-") == .jsonl)
        #expect(DocumentFormat(path: "x.NDJSON") == .jsonl)
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000)
        let got = evalInvalidInputMessage {
            _ = try DocumentReader.parse(Data("{\"id\": \"a\", \"text\": \"x\", \"m\": \(deep)}".utf8), name: "d.jsonl", format: .jsonl)
        }
        #expect(got.hasPrefix("d.jsonl:1: invalid JSON at column"))
        #expect(got.hasSuffix("nesting deeper than 512"))
    }

    @Test func jsonStringEscapesDecode() throws {
        let line = #"{"id": "e", "text": "tab\tquote\" nl\n \u00e9 \ud83d\ude00 \/"}"#
        let (_, docs) = try DocumentReader.parse(Data(line.utf8), name: "d.jsonl", format: .jsonl)
        #expect(docs[0].text == "tab\tquote\" nl\n é 😀 /")
        let bad = #"{"id": "e", "text": "\ud83d x"}"#
        #expect(evalInvalidInputMessage { _ = try DocumentReader.parse(Data(bad.utf8), name: "d.jsonl", format: .jsonl) }
            == "d.jsonl:1: invalid JSON at column 28: unpaired surrogate in a \\u escape")
    }

    /// NovelEval's corpus.tsv quotes 80 passages the way pandas does; read, they equal the
    /// passages of data.json.
    @Test(.needsSharedData) func novelEvalCorpusMatchesItsJSON() throws {
        let corpus = try DocumentReader.read(path: try EvalPaths.sharedData("noveleval/corpus.tsv")).documents
        #expect(corpus.count == 420)
        let run = try RunReader.readRankLLM(path: try EvalPaths.sharedData("noveleval/data.json"))
        let text = Dictionary(uniqueKeysWithValues: corpus.map { ($0.id, $0.text) })
        let mismatched = run.flatMap(\.documents).filter { text[$0.id] != $0.text }.map(\.id)
        #expect(mismatched.isEmpty)
    }
}
