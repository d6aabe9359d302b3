import Foundation

/// Writes ranked lists as a TREC run: `qid Q0 docid rank score tag`, one line per document, ranks
/// 1...n in list order.
///
/// trec_eval ignores the rank column and re-sorts by score (ties by docid descending), so the
/// written scores must fall strictly with rank for it to see our order. A list's own scores are
/// written when every candidate has a finite score and they fall strictly down the list; otherwise
/// (a listwise stage with no scores, ties, a cut tail without scores) every line gets the
/// rank-derived score `n + 1 - rank` (n, n-1, ..., 1). Scores print in Swift's shortest
/// round-trip form, so distinct doubles stay distinct in the file.
public enum TRECRunWriter {
    /// The scores written for `list`, by the rule above.
    public static func scores(for list: RankedList) -> [Double] {
        let given = list.candidates.compactMap(\.score)
        let usable = given.count == list.count && given.allSatisfy(\.isFinite)
            && zip(given, given.dropFirst()).allSatisfy { $0 > $1 }
        if usable { return given }
        return (0..<list.count).map { Double(list.count - $0) }
    }

    /// The run's text. Query ids, document ids and the tag must be non-empty and free of
    /// whitespace (they are whitespace-separated fields); otherwise `.invalidInput`.
    public static func format(_ runs: [(queryID: String, list: RankedList)], tag: String = "llmrank") throws -> String {
        try checkField(tag, what: "run tag")
        var out = ""
        for (qid, list) in runs {
            try checkField(qid, what: "query id")
            for (c, score) in zip(list.candidates, scores(for: list)) {
                try checkField(c.id, what: "document id")
                out += "\(qid) Q0 \(c.id) \(c.rank) \(score) \(tag)\n"
            }
        }
        return out
    }

    /// The run of evaluated queries in their input order (`EvalQuery.list`).
    public static func format(queries: [EvalQuery], tag: String = "llmrank") throws -> String {
        try format(queries.map { (queryID: $0.query.id, list: $0.list) }, tag: tag)
    }

    /// Writes the run to `path` (`-` for standard output).
    public static func write(_ runs: [(queryID: String, list: RankedList)], tag: String = "llmrank", to path: String) throws {
        let text = try format(runs, tag: tag)
        if path == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LLMRankError(.invalidInput, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    private static func checkField(_ s: String, what: String) throws {
        if s.isEmpty || s.contains(where: \.isWhitespace) {
            throw LLMRankError(.invalidInput, "\(what) '\(s)' cannot be written to a TREC run: it is empty or holds whitespace")
        }
    }
}
