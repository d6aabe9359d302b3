import Foundation

/// Relevance judgments: a grade per (query id, document id). Documents a query's judgments do not
/// name are unjudged and count as not relevant. Grades are integers; negative grades are kept and
/// count as not relevant (trec_eval reads them as "in the pool but unjudged").
public struct Qrels: Sendable, Hashable {
    /// Grades by query id, then document id.
    public var judgments: [String: [String: Int]]

    /// Qrels from grades by query id, then document id (empty by default).
    public init(_ judgments: [String: [String: Int]] = [:]) {
        self.judgments = judgments
    }

    /// The judgments of one query (nil when the qrels do not have the query).
    public subscript(queryID: String) -> [String: Int]? {
        judgments[queryID]
    }

    /// Query ids, sorted.
    public var queryIDs: [String] { judgments.keys.sorted() }

    /// Number of (query, document) judgments.
    public var count: Int { judgments.values.reduce(0) { $0 + $1.count } }
}

/// Reads qrels in either of two formats, told apart by the first non-blank character (`{` is JSON):
///
/// - TREC: `qid iteration docid grade` a line, whitespace separated; the second field is ignored
///   (trec_eval's get_qrels.c), so `0` and `Q0` both work.
/// - JSON: `{qid: {docid: grade}}`; a grade is an integer number (`2`, `2.0`) or a string holding
///   one (`"2"`), as pyserini and the DL19 qrels.json write them.
///
/// A malformed line, a non-integer grade or a repeated (query, document) pair is an
/// `.invalidInput` error that names the file and line. An empty file gives empty qrels.
public enum QrelsReader {
    /// Reads the qrels file at `path` (`-` is standard input); errors name the file and line.
    public static func read(path: String) throws -> Qrels {
        try read(.path(path))
    }

    /// Parses qrels from bytes; `name` stands for the file in error messages.
    public static func parse(_ data: Data, name: String) throws -> Qrels {
        try read(.data(data, name: name))
    }

    static func read(_ file: InputFile) throws -> Qrels {
        let bytes = try file.readAll()
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let first = body.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        let inMemory = InputFile.data(Data(bytes), name: file.name)
        return first == UInt8(ascii: "{") ? try readJSON(inMemory) : try readTREC(inMemory)
    }

    static func readTREC(_ file: InputFile) throws -> Qrels {
        var judgments: [String: [String: Int]] = [:]
        var lines: [String: [String: Int]] = [:]
        try file.forEachLine { line, number in
            guard !DocumentReader.isBlank(line) else { return }
            let f = TSV.whitespaceFields(line)
            guard f.count == 4 else {
                throw file.invalid(number, "expected 4 fields 'qid iteration docid grade', found \(f.count)")
            }
            let qid = String(f[0]), docid = String(f[2])
            guard let grade = Int(f[3]) else { throw file.invalid(number, "grade '\(f[3])' is not an integer") }
            if let first = lines[qid]?[docid] {
                throw file.invalid(number, "duplicate judgment of '\(docid)' for query '\(qid)' (first on line \(first))")
            }
            lines[qid, default: [:]][docid] = number
            judgments[qid, default: [:]][docid] = grade
        }
        return Qrels(judgments)
    }

    static func readJSON(_ file: InputFile) throws -> Qrels {
        guard let json = try file.readJSON() else { return Qrels() }
        guard let queries = json.members else {
            throw file.invalid(json.line, "expected an object {qid: {docid: grade}}, found \(json.kindName)")
        }
        var judgments: [String: [String: Int]] = [:]
        var queryLines: [String: Int] = [:]
        for (qid, docs) in queries {
            if let first = queryLines[qid] {
                throw file.invalid(docs.line, "duplicate query '\(qid)' (first on line \(first))")
            }
            queryLines[qid] = docs.line
            guard let members = docs.members else {
                throw file.invalid(docs.line, "judgments of query '\(qid)' must be an object {docid: grade}, found \(docs.kindName)")
            }
            var grades: [String: Int] = [:]
            var docLines: [String: Int] = [:]
            for (docid, g) in members {
                if let first = docLines[docid] {
                    throw file.invalid(g.line, "duplicate judgment of '\(docid)' for query '\(qid)' (first on line \(first))")
                }
                docLines[docid] = g.line
                grades[docid] = try grade(g, docid: docid, file: file)
            }
            judgments[qid] = grades
        }
        return Qrels(judgments)
    }

    private static func grade(_ g: LocatedJSON, docid: String, file: InputFile) throws -> Int {
        switch g.value {
        case .number(_, let v) where v.rounded() == v && abs(v) < 1e9:
            return Int(v)
        case .number(let literal, _):
            throw file.invalid(g.line, "grade \(literal) of '\(docid)' is not an integer")
        case .string(let s):
            if let n = Int(s.trimmingCharacters(in: .whitespaces)) { return n }
            throw file.invalid(g.line, "grade \"\(s)\" of '\(docid)' is not an integer")
        default:
            throw file.invalid(g.line, "grade of '\(docid)' must be an integer or a string holding one, found \(g.kindName)")
        }
    }
}
