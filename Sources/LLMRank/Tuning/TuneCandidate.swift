import Foundation

/// One pipeline `llmrank tune` considers: the encoder alone, or the encoder's top `prefilter` judged
/// by `method`, optionally fused with the encoder.
public struct TuneCandidate: Sendable, Hashable {
    /// The judging method; nil: the encoder alone ranks.
    public var method: JudgeMethod?
    /// Candidates the encoder hands the judge (its `keep`); nil for the encoder alone.
    public var prefilter: Int?
    /// Fusion of the encoder's and the judge's scores; nil: the judge's order stands.
    public var fusion: FusionSettings?

    /// The encoder alone: the baseline every LLM candidate must beat.
    public static let encoderOnly = TuneCandidate(method: nil, prefilter: nil, fusion: nil)

    /// A candidate; `method` nil means the encoder alone (then `prefilter` and `fusion` are ignored).
    public init(method: JudgeMethod?, prefilter: Int?, fusion: FusionSettings?) {
        self.method = method
        self.prefilter = method == nil ? nil : prefilter
        self.fusion = method == nil ? nil : fusion
    }

    /// Whether the candidate calls the LLM.
    public var usesLLM: Bool { method != nil }

    /// A short name: `encoder`, `yesno@20`, `yesno@20+rrf:60`, `yesno@20+weighted:0.3`.
    public var name: String {
        guard let method else { return "encoder" }
        let head = "\(method.rawValue)@\(prefilter.map(String.init) ?? "all")"
        return fusion.map { "\(head)+\($0.shortForm)" } ?? head
    }

    /// The profile this candidate is: `base` (its endpoint, encoder model and precision, judge
    /// options, budget, cache, depth) with the candidate's stages. A base judge of the same method
    /// keeps its prompt and options; another method gets its default prompt with the base's
    /// request options.
    public func configuration(base: RerankerConfiguration) -> RerankerConfiguration {
        var config = base
        var encoder = base.encoder ?? EncoderSettings()
        encoder.keep = prefilter
        config.encoder = encoder
        config.judge = method.map { Self.judge(method: $0, base: base.judge) }
        config.fusion = fusion
        return config
    }

    /// The judge settings of `method` on top of `base`'s.
    static func judge(method: JudgeMethod, base: JudgeSettings?) -> JudgeSettings {
        guard var judge = base else { return JudgeSettings(method: method) }
        let baseMethod = judge.method ?? (try? judge.resolvePrompt())?.method
        if baseMethod != method { judge.prompt = nil }
        judge.method = method
        return judge
    }
}

/// The candidates `llmrank tune` compares: the encoder alone, then every method × prefilter depth
/// × fusion setting.
public enum TuneGrid {
    /// The fusion settings tried when none are given: none (`nil`), RRF, and weighted fusion with
    /// the judge's weight at 0.2, 0.4, 0.6 and 0.8.
    public static let defaultFusions: [FusionSettings?] =
        [nil, FusionSettings(method: .rrf)] + [0.2, 0.4, 0.6, 0.8].map { FusionSettings(method: .weighted, weight: $0) }

    /// The prefilter depths tried when none are given.
    public static let defaultPrefilters = [10, 20, 30]

    /// The encoder alone first, then each method (in the registry's order, so a method added to
    /// `MethodRegistry` joins the grid) × prefilter depth × fusion setting.
    public static func candidates(methods: [JudgeMethod] = JudgeMethod.allCases, prefilters: [Int] = defaultPrefilters,
                                  fusions: [FusionSettings?] = defaultFusions) -> [TuneCandidate]
    {
        var out = [TuneCandidate.encoderOnly]
        for method in methods {
            for k in prefilters {
                for fusion in fusions { out.append(TuneCandidate(method: method, prefilter: k, fusion: fusion)) }
            }
        }
        return out
    }

    /// Reads `--fuse`'s list: `none`, `rrf`, `rrf:K`, `weighted:W`, and `weighted` alone for the
    /// default weight grid (0.2, 0.4, 0.6, 0.8).
    public static func parseFusions(_ text: String) throws -> [FusionSettings?] {
        var out: [FusionSettings?] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            switch item {
            case "none": out.append(nil)
            case "weighted": out += defaultFusions.filter { $0?.method == .weighted }
            default: out.append(try FusionSettings.parse(item))
            }
        }
        if out.isEmpty { throw LLMRankError(.invalidInput, "'\(text)': no fusion setting (none, rrf, rrf:K, weighted, weighted:W)") }
        return out
    }

    /// Reads a comma-separated list of registered methods (`encoder` is always a candidate and may
    /// be named too).
    public static func parseMethods(_ text: String) throws -> [JudgeMethod] {
        var out: [JudgeMethod] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty && item != "encoder" {
            guard let method = JudgeMethod(rawValue: item) else {
                throw LLMRankError(.invalidInput, "'\(item)' is not a method (known: \(JudgeMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !out.contains(method) { out.append(method) }
        }
        return out
    }

    /// Reads a comma-separated list of prefilter depths (each at least 1).
    public static func parsePrefilters(_ text: String) throws -> [Int] {
        var out: [Int] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let k = Int(item), k >= 1 else { throw LLMRankError(.invalidInput, "'\(item)': a prefilter depth is an integer of at least 1") }
            if !out.contains(k) { out.append(k) }
        }
        if out.isEmpty { throw LLMRankError(.invalidInput, "'\(text)': no prefilter depth") }
        return out
    }
}
