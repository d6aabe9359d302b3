import Foundation

/// A prompt's `text_pattern`: a regular expression with one capture group (the loader checks both),
/// applied to the answer part of a reply. A pattern that does not compile is treated as absent, so
/// the built-in rules still read the reply.
struct ContractPattern {
    struct Match {
        /// The captured text.
        var capture: String
        /// The whole match, for evidence.
        var text: String
        /// Where the capture starts and ends, in Unicode scalars of the searched text.
        var scalarRange: Range<Int>
    }

    private let expression: NSRegularExpression

    init?(_ pattern: String?) {
        guard let pattern, let expression = try? NSRegularExpression(pattern: pattern),
            expression.numberOfCaptureGroups >= 1
        else { return nil }
        self.expression = expression
    }

    /// Every match with a non-empty first capture group, in order.
    func matches(in text: String) -> [Match] {
        let all = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        var out: [Match] = []
        var scalarOffset = 0
        var lastIndex = text.startIndex
        for m in all {
            guard let capture = Range(m.range(at: 1), in: text), !capture.isEmpty,
                let whole = Range(m.range, in: text), capture.lowerBound >= lastIndex
            else { continue }
            // Offsets grow with each match, so counting from the previous one keeps this linear.
            scalarOffset += text.unicodeScalars[lastIndex..<capture.lowerBound].count
            let length = text.unicodeScalars[capture].count
            out.append(Match(capture: String(text[capture]), text: String(text[whole]),
                             scalarRange: scalarOffset..<(scalarOffset + length)))
            lastIndex = capture.lowerBound
        }
        return out
    }
}
