import Foundation
import Synchronization

/// An endpoint that is never called: it answers each multi-passage request as a judge that agrees
/// with the incoming order would (of the passages asked about, the one that came first in the
/// query's list is the best; a ranking is their incoming order) and counts what the requests
/// would cost. `TuneCostModel` runs a method's own strategy against it, so the calls and prompt
/// sizes of sorts (setwise, pairwise) and partitions (top-down) are those the method makes for a
/// list the LLM would leave as it is, not a formula kept beside it.
///
/// The passages of a request are read from its last user message: the lines that start with a
/// bracketed label, `[1]` or `[A]`, which every multi-passage prompt's contract requires, each
/// followed by its passage, known by its first words.
final class DryRunChat: ChatCompleting {
    /// What the requests so far would have cost.
    struct Tally: Sendable {
        /// Requests answered.
        var calls = 0
        /// Characters of their messages.
        var characters = 0
        /// Their completion limits (`max_tokens`), summed.
        var completionTokens = 0
    }

    /// How the prompt labels its passages.
    let labels: LabelStyle
    /// The position in the query's list of each passage, by its first words (the first position
    /// where passages repeat).
    private let positions: [String: Int]
    private let counts = Mutex(Tally())

    /// An endpoint answering prompts that label passages with `labels`, about a list of `documents`
    /// (their texts, in the incoming order).
    init(labels: LabelStyle, documents: [String]) {
        self.labels = labels
        var positions: [String: Int] = [:]
        for (i, text) in documents.enumerated() where positions[Self.key(text)] == nil { positions[Self.key(text)] = i }
        self.positions = positions
    }

    /// A passage's first words, whitespace normalised: what identifies it in a rendered prompt
    /// (which may cut it at `max_words`).
    static func key<S: StringProtocol>(_ text: S) -> String {
        text.split(whereSeparator: \.isWhitespace).prefix(8).joined(separator: " ")
    }

    /// Never a real endpoint: no cache key could collide with a real one.
    var endpointIdentity: String { "dry-run" }

    /// The tally so far.
    var tally: Tally { counts.withLock { $0 } }

    func complete(_ request: ChatRequest) async throws -> ChatResult {
        let texts = passages(in: request.messages.last { $0.role == .user }?.content ?? "")
        counts.withLock {
            $0.calls += 1
            $0.characters += request.messages.map(\.content.count).reduce(0, +)
            $0.completionTokens += request.maxTokens ?? 0
        }
        // The labels, the passage that came first in the list first (ties: the label's order).
        let rank = texts.map { positions[Self.key($0)] ?? .max }
        let order = texts.indices.sorted { (rank[$0], $0) < (rank[$1], $1) }
        let names = order.isEmpty ? [labels.label(0)] : order.map(labels.label)
        let content = names.map { "[\($0)]" }.joined(separator: " > ")
        // The first answer token with every label among its alternatives, most probable first:
        // what likelihood modes (setwise, pairwise, first) read.
        let alternatives = names.enumerated().map { TopLogprob(token: $0.element, logprob: -Double($0.offset)) }
        let logprobs = request.logprobs ? [TokenLogprob(token: names[0], logprob: 0, topLogprobs: alternatives)] : nil
        let response = ChatResponse(content: content, finishReason: "stop", logprobs: logprobs)
        return ChatResult(response: response, record: CallRecord(attempts: 1))
    }

    /// The passages a message labels, in label order: the text after each of the labels `[1]`,
    /// `[2]`, ... (or `[A]`, ...) that starts a line, from the first until one is missing.
    func passages(in message: String) -> [Substring] {
        var starts: [Substring: Substring] = [:]
        for line in message.split(separator: "\n", omittingEmptySubsequences: true) {
            guard line.first == "[", let close = line.firstIndex(of: "]") else { continue }
            let label = line[line.index(after: line.startIndex)..<close]
            if starts[label] == nil { starts[label] = line[line.index(after: close)...] }
        }
        var texts: [Substring] = []
        while let text = starts[Substring(labels.label(texts.count))] { texts.append(text) }
        return texts
    }
}
