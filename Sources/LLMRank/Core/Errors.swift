/// The one public error type of the library. A struct over an open set of kinds (hummingbird's
/// pattern), so kinds can grow without breaking users. `message` is one readable line that says
/// what failed, where (file, line, field, URL, HTTP status) and, where it helps, what to do.
/// It never contains an API key.
public struct LLMRankError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A user's file or argument is malformed (documents, runs, qrels, flags).
        public static let invalidInput = Kind(rawValue: "invalid-input")
        /// A prompt file fails validation.
        public static let invalidPrompt = Kind(rawValue: "invalid-prompt")
        /// A model folder is missing a file or field, or has an architecture we do not run.
        public static let invalidModel = Kind(rawValue: "invalid-model")
        /// The endpoint answered with an HTTP error status that retries did not cure.
        public static let http = Kind(rawValue: "http")
        /// The endpoint could not be reached or the connection failed.
        public static let transport = Kind(rawValue: "transport")
        /// A request or a deadline ran out of time.
        public static let timeout = Kind(rawValue: "timeout")
        /// The caller cancelled.
        public static let cancelled = Kind(rawValue: "cancelled")
        /// A reply could not be decoded or parsed.
        public static let badReply = Kind(rawValue: "bad-reply")
        /// The judgment cache failed.
        public static let cache = Kind(rawValue: "cache")
        /// A configured limit (calls, tokens, deadline) was reached.
        public static let budget = Kind(rawValue: "budget")
        /// `--strict` turned a fallback into an error.
        public static let strict = Kind(rawValue: "strict")
        /// Setup is missing (a model or server not installed).
        public static let setup = Kind(rawValue: "setup")
    }

    public var kind: Kind
    public var message: String
    /// HTTP status, where the error came from an HTTP reply.
    public var status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }

    /// A short form safe for metrics and summaries: the kind and status, never the message.
    public var shortDescription: String {
        status.map { "\(kind.rawValue) \($0)" } ?? kind.rawValue
    }
}
