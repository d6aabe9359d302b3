/// How the encoder's and the judge's scores are combined after both ran.
public struct FusionSettings: Sendable, Hashable, Codable {
    /// The ways to fuse.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Reciprocal rank fusion: the sum over stages of 1 / (k + rank) (Cormack et al., SIGIR 2009).
        case rrf
        /// `weight` x the judge's min-max normalized score + (1 - `weight`) x the encoder's.
        case weighted
    }

    /// The fusion method.
    public var method: Method
    /// RRF's constant k (> 0; 60 in the paper).
    public var k: Double
    /// Weighted fusion: the judge's weight in [0, 1].
    public var weight: Double

    /// A fusion setting; every argument has the documented default.
    public init(method: Method = .rrf, k: Double = 60, weight: Double = 0.5) {
        self.method = method
        self.k = k
        self.weight = weight
    }

    /// Reads the short form the CLI's `--fuse` takes: `rrf`, `rrf:K` or `weighted:W`.
    public static func parse(_ text: String) throws -> FusionSettings {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts.first {
        case "rrf":
            guard parts.count == 1 || Double(parts[1]) != nil else {
                throw LLMRankError(.invalidInput, "'\(text)': K in rrf:K must be a number")
            }
            return FusionSettings(method: .rrf, k: parts.count > 1 ? Double(parts[1])! : 60)
        case "weighted":
            guard parts.count > 1, let w = Double(parts[1]) else {
                throw LLMRankError(.invalidInput, "'\(text)': give the judge's weight, weighted:W with W in [0, 1]")
            }
            return FusionSettings(method: .weighted, weight: w)
        default:
            throw LLMRankError(.invalidInput, "'\(text)': expected rrf, rrf:K or weighted:W")
        }
    }

    /// The short form (`rrf:60`, `weighted:0.3`).
    public var shortForm: String {
        switch method {
        case .rrf: "rrf:\(Self.number(k))"
        case .weighted: "weighted:\(Self.number(weight))"
        }
    }

    private static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }

    func validate(_ path: [String]) throws {
        switch method {
        case .rrf: try ConfigurationCheck.positiveFinite(k, path + ["k"])
        case .weighted: try ConfigurationCheck.finite(weight, 0...1, path + ["weight"])
        }
    }

    /// The pipeline stage that fuses `encoder` (first) and `judge` (second).
    func stage(encoder: String, judge: String) -> FusionStage {
        switch method {
        case .rrf: FusionStage(method: .reciprocalRank(k: k), stages: [encoder, judge])
        case .weighted: FusionStage(method: .weighted([encoder: 1 - weight, judge: weight]), stages: [encoder, judge])
        }
    }

    static let keys = ["method", "k", "weight"]

    /// Reads the `fusion:` mapping; absent fields keep their defaults, unknown ones are errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        self.init(method: try c.name(Method.self, "method") ?? .rrf, k: try c.optional(Double.self, "k") ?? 60,
                  weight: try c.optional(Double.self, "weight") ?? 0.5)
    }

    /// Writes the mapping a profile would hold (only the parameter its method uses).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(method.rawValue, "method")
        switch method {
        case .rrf: try c.put(k, "k")
        case .weighted: try c.put(weight, "weight")
        }
    }
}
