/// Something a stage had to do that the user should know about: a clamped score, a repaired
/// permutation, a fallback, a truncated passage. Flags travel with the candidate into the output;
/// nothing is repaired or defaulted silently.
public struct Flag: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kind of a flag: an open set of names, with the ones llmrank raises as constants.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        /// The name as printed and stored (`clamped`, `fallback`).
        public var rawValue: String
        /// A code with this name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A code from a string literal.
        public init(stringLiteral value: String) { self.rawValue = value }
        /// Reads the code from its name.
        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }
        /// Writes the code as its name.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
        /// The name.
        public var description: String { rawValue }

        /// A score outside the scale was clamped into it.
        public static let clamped: Code = "clamped"
        /// A permutation was repaired (duplicates or out-of-range ids dropped, missing ids appended).
        public static let permutationRepaired: Code = "permutation-repaired"
        /// The first reply was unusable and a repair request was sent.
        public static let repairRetry: Code = "repair-retry"
        /// No usable judgment: the candidate kept its incoming order (listwise) or has no score.
        public static let fallback: Code = "fallback"
        /// An aspect of a rubric was missing from the reply.
        public static let missingAspect: Code = "missing-aspect"
        /// The endpoint returned no logprobs; the generated token was used instead.
        public static let noLogprobs: Code = "no-logprobs"
        /// The text was cut to fit (a model's max length, a prompt's word limit).
        public static let truncated: Code = "truncated"
        /// A budget (calls, tokens, deadline) ran out before this candidate was judged.
        public static let budgetExhausted: Code = "budget-exhausted"
        /// The endpoint failed after retries; the candidate kept the previous stage's order.
        public static let endpointFailed: Code = "endpoint-failed"
        /// A stage cut this candidate from its head; it is returned below, in its previous order.
        public static let cut: Code = "cut"
        /// A long document was scored in overlapping chunks (the maximum is kept).
        public static let chunked: Code = "chunked"
    }

    /// What kind of thing happened.
    public var code: Code
    /// Which stage raised the flag ("encoder", "pointwise", ...), where known.
    public var stage: String?
    /// What happened, in a few words ("12 > 10", "missing [4], [7]").
    public var detail: String

    /// A flag of `code`, raised by `stage`, with a short `detail`.
    public init(_ code: Code, stage: String? = nil, _ detail: String = "") {
        self.code = code
        self.stage = stage
        self.detail = detail
    }

    /// `stage:code (detail)`, as the CLI prints it.
    public var description: String {
        var s = code.rawValue
        if let stage { s = "\(stage):\(s)" }
        if !detail.isEmpty { s += " (\(detail))" }
        return s
    }
}
