import Foundation

/// The Pareto frontier of quality against cost: the points no other point beats on both (at most
/// the cost and at least the quality, one of them strictly).
public struct ParetoFrontier: Sendable, Hashable {
    /// The indices of the frontier's points, cheapest first.
    public var indices: [Int]

    /// The frontier of `points`. Equal points are kept once (the first).
    public init(points: [(cost: Double, quality: Double)]) {
        let order = points.indices.sorted { (points[$0].cost, -points[$0].quality, $0) < (points[$1].cost, -points[$1].quality, $1) }
        var indices: [Int] = []
        var bestQuality = -Double.infinity
        for i in order where points[i].quality > bestQuality {
            indices.append(i)
            bestQuality = points[i].quality
        }
        self.indices = indices
    }
}

/// Draws the candidates of a tune run as an SVG scatter plot: tokens per query against the
/// objective, the Pareto frontier joined by a line, the encoder alone and the chosen candidate
/// labelled. Plain SVG 1.1, no script, no external resource.
public enum FrontierPlot {
    /// The SVG document for `outcome`.
    public static func svg(_ outcome: TuneOutcome, width: Double = 720, height: Double = 440) -> String {
        let rows = outcome.rows
        let left = 70.0, right = 30.0, top = 40.0, bottom = 60.0
        let maxCost = max(1, rows.map(\.tokens).max() ?? 1)
        let qualities = rows.map(\.mean)
        var lo = qualities.min() ?? 0, hi = qualities.max() ?? 1
        if hi - lo < 0.02 { lo -= 0.01; hi += 0.01 }
        let pad = (hi - lo) * 0.08
        lo -= pad; hi += pad
        func x(_ cost: Double) -> Double { left + cost / maxCost * (width - left - right) }
        func y(_ quality: Double) -> Double { top + (hi - quality) / (hi - lo) * (height - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="20" text-anchor="middle" font-size="13">\(escape(outcome.evidence.objective)) against tokens per query (\(outcome.evidence.queries) queries, mean over all)</text>
        <line x1="\(f(left))" y1="\(f(height - bottom))" x2="\(f(width - right))" y2="\(f(height - bottom))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))" stroke="black"/>

        """
        for i in 0...4 {
            let cost = maxCost * Double(i) / 4, quality = lo + (hi - lo) * Double(i) / 4
            out += "<text x=\"\(f(x(cost)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(Int(cost.rounded()))</text>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(quality) + 4))\" text-anchor=\"end\">\(String(format: "%.3f", quality))</text>\n"
        }
        out += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 18))\" text-anchor=\"middle\">tokens per query</text>\n"
        out += "<text x=\"16\" y=\"\(f((top + height - bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((top + height - bottom) / 2)))\">\(escape(outcome.evidence.objective))</text>\n"
        let frontier = outcome.frontier.compactMap { c in rows.first { $0.candidate == c } }
        if frontier.count > 1 {
            let path = frontier.map { "\(f(x($0.tokens))),\(f(y($0.mean)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n"
        }
        for row in rows {
            let onFrontier = outcome.frontier.contains(row.candidate)
            let isChosen = row.candidate == outcome.chosen
            let color = isChosen ? "#d62728" : onFrontier ? "#1f77b4" : "#999999"
            out += "<circle cx=\"\(f(x(row.tokens)))\" cy=\"\(f(y(row.mean)))\" r=\"\(isChosen ? 6 : 4)\" fill=\"\(color)\"><title>\(escape(row.candidate.name)): \(String(format: "%.4f", row.mean)), \(Int(row.tokens.rounded())) tokens</title></circle>\n"
            if onFrontier || isChosen || !row.candidate.usesLLM {
                out += "<text x=\"\(f(x(row.tokens) + 7))\" y=\"\(f(y(row.mean) - 7))\" fill=\"\(color)\">\(escape(row.candidate.name))\(isChosen ? " (chosen)" : "")</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
