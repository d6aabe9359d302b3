import Foundation

/// The yes/no contract: a one-word answer. The first generated token is compared against the two
/// labels (through its logprobs where the endpoint returns them); a longer reply is read through
/// `text_pattern`. The whole `output` section is optional.
///
/// ```yaml
/// output:
///   labels: {yes: "Yes", no: "No"}
///   text_pattern: '(?i)\b(Yes|No)\b'   # the default, from the labels
/// ```
public struct YesNoContract: ContractReading, Hashable {
    /// Yes/no prompts carry this contract.
    public static let method = JudgeMethod.yesno
    static let input = PromptInput.document

    /// The label of a relevant document ("Yes").
    public let yes: String
    /// The label of an irrelevant document ("No").
    public let no: String
    /// A regular expression with one capture group: the answer word, in a longer reply.
    public let pattern: String

    /// The pattern, where it is non-empty.
    public var textPattern: String? { pattern.isEmpty ? nil : pattern }

    static func read(_ top: PromptFileParser.Fields) throws -> YesNoContract {
        var yes = "Yes", no = "No"
        var pattern: String?
        if top["output"] != nil {
            let output = try top.nested("output", allowed: ["labels", "text_pattern"])
            if let labelsNode = output["labels"] {
                let labels = try output.nested("labels", allowed: ["yes", "no"])
                yes = try labels.string("yes")
                no = try labels.string("no")
                guard !yes.isEmpty, !no.isEmpty, yes.lowercased() != no.lowercased() else {
                    throw top.parser.failure(labelsNode, "output.labels", "yes and no must be two different non-empty words")
                }
            }
            if output["text_pattern"] != nil { pattern = try output.regex("text_pattern", what: "the answer word") }
        }
        let defaultPattern = "(?i)\\b(" + NSRegularExpression.escapedPattern(for: yes) + "|"
            + NSRegularExpression.escapedPattern(for: no) + ")\\b"
        return YesNoContract(yes: yes, no: no, pattern: pattern ?? defaultPattern)
    }
}
