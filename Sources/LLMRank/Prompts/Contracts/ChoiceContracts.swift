/// The pairwise contract: two passages labelled `[1]` and `[2]` (`{{label}}`; `[A]`, `[B]` with
/// `labels: letters`), the reply names the more relevant one (`LabelParser`: `[2]`, `Passage 2`,
/// `2`, the first label of a chain). The `output` section is optional.
///
/// ```yaml
/// output:
///   format: "[1]"      # the default: the answer format shown to users and in errors
///   labels: numbers    # the default; or letters
/// ```
public struct PairwiseContract: LabelChoiceContract, Hashable {
    /// Pairwise prompts carry this contract.
    public static let method = JudgeMethod.pairwise
    /// The answer format shown to users and in errors ("[1]").
    public let format: String
    /// How the passages are labelled.
    public let labels: LabelStyle
}

/// The setwise contract: a set of passages labelled `[1]`...`[n]` (or `[A]`... with
/// `labels: letters`), the reply names the most relevant one, read as pairwise's; `output` as
/// pairwise's.
public struct SetwiseContract: LabelChoiceContract, Hashable {
    /// Setwise prompts carry this contract.
    public static let method = JudgeMethod.setwise
    /// The answer format shown to users and in errors ("[1]").
    public let format: String
    /// How the passages are labelled.
    public let labels: LabelStyle
}

/// A contract whose reply names one labelled passage of a window: its `output` section has
/// `format` and `labels` only.
protocol LabelChoiceContract: LabelledWindowContract {
    /// The contract with its answer format and label style.
    init(format: String, labels: LabelStyle)
}

extension LabelChoiceContract {
    /// Passages come in as a window.
    static var input: PromptInput { .window }

    /// Reads `output.format` ("[1]" when absent) and `output.labels` (numbers when absent).
    static func read(_ top: PromptFileParser.Fields) throws -> Self {
        guard top["output"] != nil else { return Self(format: "[1]", labels: .numbers) }
        let output = try top.nested("output", allowed: ["format", "labels"])
        return Self(format: try output.optionalString("format") ?? "[1]", labels: try output.labelStyle(.numbers))
    }
}
