/// The listwise contract: a permutation of the numbered passages of a window, most relevant
/// first. The `output` section is optional.
///
/// ```yaml
/// output:
///   text_pattern: '\[(\d+)\]'      # the default: each match is one passage number, in order
///   format: "[2] > [1] > [3]"      # the default
///   labels: numbers                # the default; letters labels passages [A], [B], ... ({{label}})
/// ```
public struct ListwiseContract: LabelledWindowContract, Hashable {
    /// Listwise prompts carry this contract.
    public static let method = JudgeMethod.listwise
    static let input = PromptInput.window

    /// A regular expression with one capture group matched repeatedly: each match is one
    /// passage number, in order (`\[(\d+)\]`).
    public let pattern: String
    /// The answer format shown to users and in errors ("[2] > [1] > [3]").
    public let format: String
    /// How the passages are labelled (`numbers`, or `letters`, read back as their numbers).
    public let labels: LabelStyle

    /// The pattern, where it is non-empty.
    public var textPattern: String? { pattern.isEmpty ? nil : pattern }

    static func read(_ top: PromptFileParser.Fields) throws -> ListwiseContract {
        var pattern = #"\[(\d+)\]"#
        var format = "[2] > [1] > [3]"
        var labels = LabelStyle.numbers
        if top["output"] != nil {
            let output = try top.nested("output", allowed: ["text_pattern", "format", "labels"])
            if output["text_pattern"] != nil { pattern = try output.regex("text_pattern", what: "one passage number") }
            format = try output.optionalString("format") ?? format
            labels = try output.labelStyle(.numbers)
        }
        return ListwiseContract(pattern: pattern, format: format, labels: labels)
    }
}
