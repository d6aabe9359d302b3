/// Why a reply could not be used, with enough of the reply to show the user and to build a repair
/// request from. Every parser returns this instead of guessing: a judge that gets one sends one
/// repair request, then takes an explicit fallback (`Flag.Code.fallback`), never a default score.
public struct ParseFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What was wrong, in a few words that also read well in a repair request
    /// ("no number in the reply", "several numbers (7, 2) and none labelled as the score").
    public var reason: String
    /// The reply on one line, whitespace collapsed, cut in the middle when long
    /// (see `excerpt(of:limit:)`).
    public var excerpt: String

    /// A failure with its reason and an already-made excerpt.
    public init(reason: String, excerpt: String) {
        self.reason = reason
        self.excerpt = excerpt
    }

    /// A failure whose excerpt is made from the whole reply.
    public init(reason: String, reply: String) {
        self.init(reason: reason, excerpt: Self.excerpt(of: reply))
    }

    /// The reason followed by the excerpt.
    public var description: String { "\(reason) (reply: \"\(excerpt)\")" }

    /// The library's error for this failure (kind `badReply`), for a caller that gives up on it.
    public var error: LLMRankError { LLMRankError(.badReply, "could not parse the reply: \(description)") }

    /// The reply on one line: runs of whitespace become one space, and a reply longer than `limit`
    /// characters keeps its start and its end (where the answer usually is) around " … ".
    public static func excerpt(of reply: String, limit: Int = 160) -> String {
        var out = ""
        var pendingSpace = false
        for c in reply {
            if c.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(c)
            }
        }
        let limit = max(limit, 8)
        guard out.count > limit else { return out }
        let half = (limit - 3) / 2
        return String(out.prefix(half)) + " … " + String(out.suffix(half))
    }
}
