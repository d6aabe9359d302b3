import Foundation

/// Reading, writing and merging `EvalReport` files.
public enum EvalReportFile {
    /// Writes `report` to `path` as JSON (sorted keys), replacing the file.
    public static func write(_ report: EvalReport, to path: String) throws {
        do {
            try json(report).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LLMRankError(.invalidInput, "\(path): cannot write the report: \(error.localizedDescription)")
        }
    }

    /// The report as the file holds it: pretty-printed JSON with sorted keys.
    public static func json(_ report: EvalReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(report)
    }

    /// Creates or empties the file at `path`, so a report that cannot be written fails before any
    /// work; the empty file is no report, so a merge refuses a shard whose run never finished.
    public static func prepare(_ path: String) throws {
        do {
            try Data().write(to: URL(fileURLWithPath: path))
        } catch {
            throw LLMRankError(.invalidInput, "\(path): cannot write the report: \(error.localizedDescription)")
        }
    }

    /// Reads the report at `path`; the error names the file and what is wrong with it.
    public static func read(path: String) throws -> EvalReport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LLMRankError(.invalidInput, "\(path): cannot read the report: \(error.localizedDescription)")
        }
        let report: EvalReport
        do {
            report = try JSONDecoder().decode(EvalReport.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw LLMRankError(.invalidInput, "\(path): not an llmrank eval report: no field '\(Self.path(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context)
        {
            let field = context.codingPath.isEmpty ? "" : " at '\(Self.path(context.codingPath))'"
            throw LLMRankError(.invalidInput, "\(path): not an llmrank eval report\(field): \(context.debugDescription)")
        } catch {
            throw LLMRankError(.invalidInput, "\(path): not an llmrank eval report: \(error)")
        }
        guard report.format == EvalReport.currentFormat else {
            throw LLMRankError(.invalidInput, "\(path): report format '\(report.format)', this llmrank reads '\(EvalReport.currentFormat)'")
        }
        return report
    }

    /// Merges the reports of a split evaluation into the report of the whole. Either every report
    /// is a shard of the same count and each shard appears exactly once, or there are no shard
    /// marks and the reports' queries do not overlap. Metrics, threshold, and whether the run was
    /// reranked must agree. Errors name the files.
    public static func merge(_ reports: [(path: String, report: EvalReport)]) throws -> EvalReport {
        guard var merged = reports.first?.report, let firstPath = reports.first?.path else {
            throw LLMRankError(.invalidInput, "no reports to merge")
        }
        for (path, r) in reports.dropFirst() {
            guard r.metrics == merged.metrics, r.relThreshold == merged.relThreshold else {
                throw LLMRankError(.invalidInput, "\(path): metrics \(r.metrics.joined(separator: ",")) (rel threshold \(r.relThreshold)) "
                    + "differ from \(firstPath)'s \(merged.metrics.joined(separator: ",")) (rel threshold \(merged.relThreshold))")
            }
            guard (r.reranked == nil) == (merged.reranked == nil) else {
                throw LLMRankError(.invalidInput, "\(path) and \(firstPath): one was reranked and the other was not")
            }
        }
        try checkShards(reports)
        var owner: [String: String] = [:]
        for (path, r) in reports {
            for q in r.input + r.unjudgedQueries {
                if let other = owner.updateValue(path, forKey: q.queryID), other != path {
                    throw LLMRankError(.invalidInput, "query \(q.queryID) is in both \(other) and \(path)")
                }
            }
        }
        func ordered(_ rows: [EvalReport.QueryValues]) -> [EvalReport.QueryValues] {
            rows.sorted { ($0.position, $0.queryID) < ($1.position, $1.queryID) }
        }
        merged.shard = nil
        merged.input = ordered(reports.flatMap(\.report.input))
        merged.reranked = merged.reranked == nil ? nil : ordered(reports.flatMap { $0.report.reranked ?? [] })
        merged.unjudgedQueries = ordered(reports.flatMap(\.report.unjudgedQueries))
        merged.missingQueries = Array(Set(reports.flatMap(\.report.missingQueries))).sorted()
        let totals = reports.compactMap(\.report.totals)
        merged.totals = totals.isEmpty ? nil : totals.dropFirst().reduce(totals[0], +)
        merged.inputMean = EvalReport.means(merged.input, metrics: merged.metrics)
        merged.rerankedMean = merged.reranked.map { EvalReport.means($0, metrics: merged.metrics) }
        return merged
    }

    private static func checkShards(_ reports: [(path: String, report: EvalReport)]) throws {
        let marked = reports.filter { $0.report.shard != nil }
        guard !marked.isEmpty else { return }
        if let unmarked = reports.first(where: { $0.report.shard == nil }) {
            throw LLMRankError(.invalidInput, "\(unmarked.path) is a whole run but \(marked[0].path) is shard \(marked[0].report.shard!)")
        }
        let count = marked[0].report.shard!.count
        var seen: [Int: String] = [:]
        for (path, r) in marked {
            let shard = r.shard!
            guard shard.count == count else {
                throw LLMRankError(.invalidInput, "\(path) is shard \(shard) but \(marked[0].path) is shard \(marked[0].report.shard!)")
            }
            if let other = seen.updateValue(path, forKey: shard.index) {
                throw LLMRankError(.invalidInput, "\(other) and \(path) both hold shard \(shard)")
            }
        }
        let missing = (1...count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "\($0)/\(count)" }.joined(separator: ", ")
            throw LLMRankError(.invalidInput, "shard\(missing.count == 1 ? "" : "s") \(list) missing from the merge")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
