/// The first contract (single-token listwise): a window of passages labelled `[A]`, `[B]`, ...
/// (`{{label}}`), the reply a ranking such as `B > A > C` whose first token is read with its
/// logprobs; without logprobs the whole ranking is generated and read as listwise's. The `output`
/// section is optional.
///
/// ```yaml
/// output:
///   format: "B > A > C"   # the default: the answer format shown to users and in errors
///   labels: letters       # the default; numbers are allowed but are not one token each past 9
/// ```
public struct FirstContract: LabelledWindowContract, Hashable {
    /// First prompts carry this contract.
    public static let method = JudgeMethod.first
    static let input = PromptInput.window

    /// The answer format shown to users and in errors ("B > A > C").
    public let format: String
    /// How the passages are labelled.
    public let labels: LabelStyle

    static func read(_ top: PromptFileParser.Fields) throws -> FirstContract {
        guard top["output"] != nil else { return FirstContract(format: "B > A > C", labels: .letters) }
        let output = try top.nested("output", allowed: ["format", "labels"])
        return FirstContract(format: try output.optionalString("format") ?? "B > A > C",
                             labels: try output.labelStyle(.letters))
    }
}
