import Foundation

/// One query of a run: the query, its documents in the run's order, and the score the run gave
/// each (nil where it gave none).
public struct EvalQuery: Sendable, Hashable {
    /// The query: its id and text.
    public var query: Query
    /// The documents in input order: the order reranking starts from and the order metrics read.
    public var documents: [Document]
    /// The run's score of each document, parallel to `documents`.
    public var scores: [Double?]

    /// `scores` is padded with nils or cut to match `documents`.
    public init(query: Query, documents: [Document], scores: [Double?] = []) {
        self.query = query
        self.documents = documents
        self.scores = Array((scores + Array(repeating: nil, count: max(0, documents.count - scores.count)))
            .prefix(documents.count))
    }

    /// The documents as a ranked list in input order, each with the run's score as its score and
    /// as the score of the stage named "input".
    public var list: RankedList {
        RankedList(candidates: zip(documents, scores).enumerated().map { i, pair in
            Candidate(document: pair.0, score: pair.1, rank: i + 1,
                      stageScores: [StageScore(stage: "input", score: pair.1)])
        })
    }

    /// The document ids in input order.
    public var ids: [String] { documents.map(\.id) }
}

/// Reads runs to evaluate (and rerank).
///
/// - rank_llm / RankGPT JSON: a list of `{"query": String, "hits": [hit]}` objects (or one such
///   object). Hits are read like JSONL documents (`DocumentReader`'s id and text fields) and keep
///   the order of the file; `score` (a number or null) is the input score. The query id is the
///   object's `qid` if present, otherwise the hits' `qid` (all hits must agree); a string or an
///   integer. A query with no hits needs the object's `qid`. A hit's `qid` is not kept in its
///   document's metadata; its other fields (`rank`, `score`, ...) are.
/// - TREC run (`qid Q0 docid rank score tag`, whitespace separated) with a corpus (TSV or JSONL)
///   for the texts and topics (TSV `qid<TAB>text`, or JSONL) for the queries. Each query's
///   documents are put in trec_eval's order: score descending, ties by docid descending (byte-wise),
///   the rank column ignored (trec_eval's `form_res_rels.c`). That order is the input order.
///
/// Repeated query ids, repeated docids within a query, and run documents or queries missing from
/// the corpus or topics are errors that name the file and line.
public enum RunReader {
    /// Reads a rank_llm JSON run. An empty file or `[]` gives no queries.
    public static func readRankLLM(path: String) throws -> [EvalQuery] {
        try readRankLLM(.path(path))
    }

    /// Reads a rank_llm JSON run from bytes in memory.
    public static func parseRankLLM(_ data: Data, name: String) throws -> [EvalQuery] {
        try readRankLLM(.data(data, name: name))
    }

    static func readRankLLM(_ file: InputFile) throws -> [EvalQuery] {
        guard let json = try file.readJSON() else { return [] }
        let objects = json.elements ?? [json]
        var result: [EvalQuery] = []
        var firstLine: [String: Int] = [:]
        for object in objects {
            let (text, hits) = try RankLLM.queryAndHits(object, file: file)
            var qid = try object.member("qid").map { try DocumentReader.idString($0, field: "qid", file: file) }
            var collector = DocumentReader.Collector(file: file)
            var scores: [Double?] = []
            for hit in hits {
                var doc = try DocumentReader.document(from: hit, file: file)
                if let q = hit.member("qid") {
                    let hitQID = try DocumentReader.idString(q, field: "qid", file: file)
                    if let qid, qid != hitQID {
                        throw file.invalid(q.line, "hit has qid '\(hitQID)' but its query has qid '\(qid)'")
                    }
                    qid = hitQID
                }
                scores.append(try score(hit, file: file))
                doc.metadata["qid"] = nil
                try collector.add(doc, line: hit.line)
            }
            guard let qid else {
                throw file.invalid(object.line, "query has no qid (give the object a 'qid' or its hits one)")
            }
            if let first = firstLine[qid] {
                throw file.invalid(object.line, "duplicate query id '\(qid)' (first on line \(first))")
            }
            firstLine[qid] = object.line
            result.append(EvalQuery(query: Query(id: qid, text: text), documents: collector.documents, scores: scores))
        }
        return result
    }

    private static func score(_ hit: LocatedJSON, file: InputFile) throws -> Double? {
        guard let s = hit.member("score") else { return nil }
        switch s.value {
        case .null: return nil
        case .number(_, let v) where v.isFinite: return v
        default: throw file.invalid(s.line, "field 'score' must be a finite number or null, found \(s.kindName)")
        }
    }

    /// One line of a TREC run.
    struct TRECEntry {
        var docid: String
        var score: Double
        var line: Int
    }

    /// Reads a TREC run, its texts from `corpus` and its queries from `topics`. Only the corpus
    /// documents the run names are kept, so the corpus may be large.
    public static func readTREC(run: String, corpus: String, topics: String) throws -> [EvalQuery] {
        let runFile = InputFile.path(run)
        let entries = try readTRECRun(runFile)
        var needed = Set<String>()
        for group in entries { for e in group.entries { needed.insert(e.docid) } }

        let corpusFormat = DocumentFormat(path: corpus)
        guard corpusFormat == .tsv || corpusFormat == .jsonl else {
            throw LLMRankError(.invalidInput, "\(corpus): a corpus must be .tsv (id<TAB>text) or .jsonl")
        }
        let docs = try DocumentReader.read(.path(corpus), format: corpusFormat!, keep: { needed.contains($0) }).documents
        let byID = Dictionary(docs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        let topicsFormat = DocumentFormat(path: topics)
        guard topicsFormat == .tsv || topicsFormat == .jsonl else {
            throw LLMRankError(.invalidInput, "\(topics): topics must be .tsv (qid<TAB>text) or .jsonl")
        }
        let queryIDs = Set(entries.map { $0.qid })
        let topicDocs = try DocumentReader.read(.path(topics), format: topicsFormat!, keep: { queryIDs.contains($0) }).documents
        let topicText = Dictionary(topicDocs.map { ($0.id, $0.text) }, uniquingKeysWith: { first, _ in first })

        return try entries.map { qid, list in
            guard let text = topicText[qid] else {
                throw runFile.invalid(list.first?.line, "query '\(qid)' is not in the topics \(topics)")
            }
            let documents = try list.map { e in
                guard let d = byID[e.docid] else {
                    throw runFile.invalid(e.line, "document '\(e.docid)' is not in the corpus \(corpus)")
                }
                return d
            }
            return EvalQuery(query: Query(id: qid, text: text), documents: documents, scores: list.map(\.score))
        }
    }

    /// The entries of a TREC run grouped by query (in order of first appearance), each group in
    /// trec_eval's order.
    static func readTRECRun(_ file: InputFile) throws -> [(qid: String, entries: [TRECEntry])] {
        var order: [String] = []
        var groups: [String: [TRECEntry]] = [:]
        var seen: [String: [String: Int]] = [:]
        try file.forEachLine { line, number in
            guard !DocumentReader.isBlank(line) else { return }
            let f = TSV.whitespaceFields(line)
            guard f.count == 6 else {
                throw file.invalid(number, "expected 6 fields 'qid Q0 docid rank score tag', found \(f.count)")
            }
            let qid = String(f[0]), docid = String(f[2])
            guard Int(f[3]) != nil else { throw file.invalid(number, "rank '\(f[3])' is not an integer") }
            guard let score = Double(f[4]), score.isFinite else {
                throw file.invalid(number, "score '\(f[4])' is not a finite number")
            }
            if let first = seen[qid]?[docid] {
                throw file.invalid(number, "duplicate document '\(docid)' for query '\(qid)' (first on line \(first))")
            }
            if groups[qid] == nil { order.append(qid) }
            seen[qid, default: [:]][docid] = number
            groups[qid, default: []].append(TRECEntry(docid: docid, score: score, line: number))
        }
        return order.map { qid in (qid, groups[qid]!.sorted(by: trecEvalOrder)) }
    }

    /// trec_eval's order (`comp_sim_docno` in form_res_rels.c): score descending, then docid
    /// descending by strcmp (byte-wise).
    static func trecEvalOrder(_ a: TRECEntry, _ b: TRECEntry) -> Bool {
        if a.score != b.score { return a.score > b.score }
        return b.docid.utf8.lexicographicallyPrecedes(a.docid.utf8)
    }
}
