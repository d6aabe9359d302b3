import Foundation

/// The file formats `DocumentReader` reads.
public enum DocumentFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object a line: an id field, a text field, any other fields kept as metadata.
    case jsonl
    /// `id<TAB>text` a line; an optional header line is skipped.
    case tsv
    /// One document a line; its id is its 1-based line number.
    case txt
    /// rank_llm / RankGPT JSON for one query: `{"query": ..., "hits": [{"docid", "content", ...}]}`.
    case rankLLM = "json"

    /// The format a path's extension names (`.jsonl`/`.ndjson`, `.tsv`, `.txt`, `.json`); `-`
    /// (standard input) is JSONL. Nil for anything else.
    public init?(path: String) {
        if path == "-" {
            self = .jsonl
            return
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "jsonl", "ndjson": self = .jsonl
        case "tsv": self = .tsv
        case "txt": self = .txt
        case "json": self = .rankLLM
        default: return nil
        }
    }
}

/// Reads the documents to rerank for one query.
///
/// - JSONL: each non-blank line is an object. The id is the first present of `id`, `docid`, `_id`
///   (a string, or an integer written as a JSON number); the text is the first present of `text`,
///   `content`, `contents`, `passage` (a string). Every other field, including an unused id or text
///   alias, is kept in `metadata`.
/// - TSV: `id<TAB>text`; the text is the rest of the line after the first tab. A first line whose
///   fields are an id name and a text name (`id`/`docid`/`_id`/`qid`, `text`/`content`/`contents`/
///   `passage`/`query`, any case) is a header and skipped. Quoting as in `TSV`.
/// - TXT: each non-blank line is a document; its id is its line number ("1", "2", ...).
/// - JSON (rank_llm): one object `{"query": String, "hits": [...]}` (or a list holding exactly one),
///   each hit read like a JSONL object; the query text is returned.
///
/// Blank lines are skipped everywhere; an empty file gives no documents. A malformed line, a
/// missing field, or a repeated id is an `.invalidInput` error that names the file and line.
public enum DocumentReader {
    /// Field names read as the id, in order of preference.
    public static let idFields = ["id", "docid", "_id"]
    /// Field names read as the text, in order of preference.
    public static let textFields = ["text", "content", "contents", "passage"]

    /// Reads `path` (`-` for JSONL on standard input) in the given format, or the one its
    /// extension names.
    public static func read(path: String, format: DocumentFormat? = nil) throws -> (query: String?, documents: [Document]) {
        guard let format = format ?? DocumentFormat(path: path) else {
            throw LLMRankError(.invalidInput,
                               "\(path): unknown document format; use .jsonl, .tsv, .txt or .json (rank_llm)")
        }
        return try read(.path(path), format: format, keep: nil)
    }

    /// Reads documents from bytes in memory; `name` is what error messages call the input.
    public static func parse(_ data: Data, name: String, format: DocumentFormat) throws -> (query: String?, documents: [Document]) {
        try read(.data(data, name: name), format: format, keep: nil)
    }

    /// `keep`, when given, drops every document whose id it rejects before anything else is done
    /// with it (a corpus filtered to a run's documents); repeated ids are then only detected among
    /// kept documents.
    static func read(_ file: InputFile, format: DocumentFormat, keep: ((String) -> Bool)?) throws -> (query: String?, documents: [Document]) {
        var collector = Collector(file: file)
        switch format {
        case .jsonl:
            try file.forEachLine { line, number in
                guard !isBlank(line) else { return }
                let json: LocatedJSON
                do throws(LocatedJSON.SyntaxError) {
                    json = try LocatedJSON.parse(Array(line.utf8), firstLine: number)
                } catch {
                    throw file.invalid(number, "invalid JSON at column \(error.column): \(error.message)")
                }
                let doc = try document(from: json, file: file)
                if keep?(doc.id) ?? true { try collector.add(doc, line: number) }
            }
            return (nil, collector.documents)
        case .tsv:
            var sawContent = false
            try file.forEachLine { line, number in
                guard !isBlank(line) else { return }
                guard let (id, text) = TSV.splitFirst(line) else {
                    throw file.invalid(number, "expected 'id<TAB>text', found no tab")
                }
                defer { sawContent = true }
                if !sawContent, isHeader(id, text) { return }
                guard !id.isEmpty else { throw file.invalid(number, "empty id") }
                if keep?(id) ?? true { try collector.add(Document(id: id, text: text), line: number) }
            }
            return (nil, collector.documents)
        case .txt:
            try file.forEachLine { line, number in
                guard !isBlank(line) else { return }
                let id = String(number)
                if keep?(id) ?? true { try collector.add(Document(id: id, text: String(line)), line: number) }
            }
            return (nil, collector.documents)
        case .rankLLM:
            guard let json = try file.readJSON() else { return (nil, []) }
            let object: LocatedJSON
            if let list = json.elements {
                if list.isEmpty { return (nil, []) }
                guard list.count == 1 else {
                    throw file.invalid(json.line, "holds \(list.count) queries; rerank takes one (evaluate a run with `llmrank eval`)")
                }
                object = list[0]
            } else {
                object = json
            }
            let (query, hits) = try RankLLM.queryAndHits(object, file: file)
            for hit in hits {
                let doc = try document(from: hit, file: file)
                if keep?(doc.id) ?? true { try collector.add(doc, line: hit.line) }
            }
            return (query, collector.documents)
        }
    }

    /// One document from a JSON object: id and text by the field rules above, the rest metadata.
    static func document(from json: LocatedJSON, file: InputFile) throws -> Document {
        guard let members = json.members else {
            throw file.invalid(json.line, "expected a JSON object, found \(json.kindName)")
        }
        guard let idKey = idFields.first(where: { json.member($0) != nil }) else {
            throw file.invalid(json.line, "missing field 'id' (or 'docid', '_id')")
        }
        guard let textKey = textFields.first(where: { json.member($0) != nil }) else {
            throw file.invalid(json.line, "missing field 'text' (or 'content', 'contents', 'passage')")
        }
        let id = try idString(json.member(idKey)!, field: idKey, file: file)
        guard case .string(let text) = json.member(textKey)!.value else {
            throw file.invalid(json.member(textKey)!.line, "field '\(textKey)' must be a string, found \(json.member(textKey)!.kindName)")
        }
        var metadata: [String: JSONValue] = [:]
        for (key, value) in members where key != idKey && key != textKey {
            metadata[key] = value.jsonValue
        }
        return Document(id: id, text: text, metadata: metadata)
    }

    /// An id: a non-empty string, or an integer JSON number (kept as written).
    static func idString(_ json: LocatedJSON, field: String, file: InputFile) throws -> String {
        switch json.value {
        case .string(let s):
            guard !s.isEmpty else { throw file.invalid(json.line, "field '\(field)' is empty") }
            return s
        case .number(let literal, _) where literal.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }):
            return literal
        default:
            throw file.invalid(json.line, "field '\(field)' must be a string or an integer, found \(json.kindName)")
        }
    }

    static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" }
    }

    private static let headerIDs: Set<String> = ["id", "docid", "_id", "qid"]
    private static let headerTexts: Set<String> = ["text", "content", "contents", "passage", "query"]

    static func isHeader(_ id: String, _ text: String) -> Bool {
        headerIDs.contains(id.lowercased()) && headerTexts.contains(text.lowercased())
    }

    /// Documents in order, rejecting repeated ids with both lines named.
    struct Collector {
        let file: InputFile
        var documents: [Document] = []
        var firstLine: [String: Int] = [:]

        init(file: InputFile) { self.file = file }

        mutating func add(_ doc: Document, line: Int) throws {
            if let first = firstLine[doc.id] {
                throw file.invalid(line, "duplicate id '\(doc.id)' (first on line \(first))")
            }
            firstLine[doc.id] = line
            documents.append(doc)
        }
    }
}

/// The rank_llm / RankGPT JSON shape shared by `DocumentReader` and `RunReader`.
enum RankLLM {
    /// The query text and the hits of one `{"query", "hits"}` object.
    static func queryAndHits(_ object: LocatedJSON, file: InputFile) throws -> (query: String, hits: [LocatedJSON]) {
        guard object.members != nil else {
            throw file.invalid(object.line, "expected a {\"query\", \"hits\"} object, found \(object.kindName)")
        }
        guard let q = object.member("query") else { throw file.invalid(object.line, "missing field 'query'") }
        guard case .string(let query) = q.value else {
            throw file.invalid(q.line, "field 'query' must be a string, found \(q.kindName)")
        }
        guard let h = object.member("hits") else { throw file.invalid(object.line, "missing field 'hits'") }
        guard let hits = h.elements else {
            throw file.invalid(h.line, "field 'hits' must be an array, found \(h.kindName)")
        }
        return (query, hits)
    }
}
