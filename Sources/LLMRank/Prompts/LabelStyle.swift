import Foundation

/// How a multi-passage prompt labels its passages (its contract's `output.labels`): `[1]`, `[2]`,
/// ... (`numbers`, the default of listwise, pairwise and setwise) or `[A]`, `[B]`, ... (`letters`,
/// the default of first: one token each in common tokenizers). Templates insert the label with
/// `{{label}}` inside `{{#documents}}` and the last label of the window with `{{last_label}}`;
/// `{{rank}}` is always the passage's number.
public enum LabelStyle: String, Sendable, Hashable, CaseIterable, Codable {
    /// `1`, `2`, ...: any number of passages.
    case numbers
    /// `A` to `Z`: at most 26 passages a call.
    case letters

    /// The most passages one call may label; nil: no limit.
    public var capacity: Int? {
        switch self {
        case .numbers: nil
        case .letters: 26
        }
    }

    /// The label of the passage at `index` (0-based): `3` -> "4" or "D". Letters past `Z` (beyond
    /// `capacity`, which configuration checks refuse) continue as `AA`, `AB`, ... rather than fail.
    public func label(_ index: Int) -> String {
        switch self {
        case .numbers:
            return String(index + 1)
        case .letters:
            var i = max(0, index), text = ""
            repeat {
                text = String(UnicodeScalar(UInt8(65 + i % 26))) + text
                i = i / 26 - 1
            } while i >= 0
            return text
        }
    }

    /// The labels of `count` passages, in order.
    public func labels(_ count: Int) -> [String] { (0..<max(0, count)).map(label) }

    /// `reply` with the labels of a window of `count` written as the bracketed numbers the
    /// permutation parser reads: for letters, each bracketed label (`[B]`, `[ b ]`) becomes `[2]`,
    /// and when the reply has no bracketed label at all, each word that is exactly an upper-case
    /// label (`B > A > C`) does too; letters outside the window are left as they are. Numbers come
    /// back unchanged.
    public func numbered(_ reply: String, count: Int) -> String {
        guard self == .letters else { return reply }
        let keys = labels(count)
        func number(_ label: Substring) -> String? {
            keys.firstIndex(of: label.uppercased()).map { "[\($0 + 1)]" }
        }
        let bracketed = Self.replacing(#"\[\s*([A-Za-z]{1,2})\s*\]"#, in: reply) { number($0) }
        if bracketed.changed { return bracketed.text }
        return Self.replacing(#"\b([A-Z]{1,2})\b"#, in: reply) { keys.contains(String($0)) ? number($0) : nil }.text
    }

    /// `text` with each match of `pattern` replaced by `replacement(capture 1)`, where it is not nil.
    private static func replacing(_ pattern: String, in text: String,
                                  _ replacement: (Substring) -> String?) -> (text: String, changed: Bool)
    {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return (text, false) }
        var out = "", last = text.startIndex, changed = false
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let whole = Range(match.range, in: text), let inner = Range(match.range(at: 1), in: text),
                  let new = replacement(text[inner]) else { continue }
            out += text[last..<whole.lowerBound]
            out += new
            last = whole.upperBound
            changed = true
        }
        out += text[last...]
        return (out, changed)
    }
}

/// A contract whose prompts show a window of labelled passages (listwise, first, pairwise,
/// setwise): the label style is part of it.
protocol LabelledWindowContract: ContractReading {
    /// How the passages are labelled.
    var labels: LabelStyle { get }
}

extension PromptFileParser.Fields {
    /// `labels` of an `output` section: `numbers` or `letters`, `fallback` when absent; another
    /// value is an error naming the file, the line and the field.
    func labelStyle(_ fallback: LabelStyle) throws -> LabelStyle {
        guard let text = try optionalString("labels") else { return fallback }
        guard let style = LabelStyle(rawValue: text) else {
            throw parser.failure(self["labels"], qualified("labels"),
                                 "'\(text)' is not one of \(LabelStyle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return style
    }
}
