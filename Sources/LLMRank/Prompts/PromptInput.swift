/// What a prompt's templates insert, and so which placeholders they may use: one document a call,
/// or a numbered window of passages. A method's output contract names its input.
enum PromptInput: Sendable, Hashable {
    /// One document a call: `query` and `document`.
    case document
    /// A window of labelled passages: `query`, `num`, `last_label` (the last passage's label), and
    /// the `documents` section whose items have `rank` (the number), `label` (as the contract's
    /// `LabelStyle` says) and `text`.
    case window

    /// The placeholders `system` and `user` may use.
    var placeholders: [String] {
        switch self {
        case .document: ["query", "document"]
        case .window: ["query", "documents", "num", "last_label"]
        }
    }

    /// The fields of each item of `documents` (window prompts).
    static let itemFields = ["rank", "label", "text"]

    /// The placeholders the repair message may use: the document text is never repeated there.
    var repairPlaceholders: [String] {
        switch self {
        case .document: ["query"]
        case .window: ["query", "num", "last_label"]
        }
    }

    /// The placeholders that must reach the model in `system` or `user`.
    var essentials: [String] {
        switch self {
        case .document: ["query", "document"]
        case .window: ["query", "documents"]
        }
    }

    /// The name of the render function for this input, for errors about calling the other one.
    var renderFunction: String {
        switch self {
        case .document: "render(query:document:)"
        case .window: "render(query:passages:)"
        }
    }
}
