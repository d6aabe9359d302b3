/// The one public error type of the library. A struct over an open set of kinds (hummingbird's
/// pattern), so kinds can grow without breaking users.
///
/// `message` is one readable line of facts: what failed and where (file, line, field, URL, HTTP
/// status, the variable a key came from). It carries no advice about how a shell was invoked:
/// the command-line tool turns kinds into hints ("check --base-url"), and a server or a Swift app
/// gives its own. It never contains an API key.
public struct LLMRankError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable name a caller can switch over (`rawValue` is the short form
    /// used in metrics and summaries).
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable short name, such as `invalid-input` or `http`.
        public var rawValue: String
        /// A kind by its short name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The short name.
        public var description: String { rawValue }

        /// A user's file or argument is malformed (documents, runs, qrels, options).
        public static let invalidInput = Kind(rawValue: "invalid-input")
        /// A prompt file fails validation.
        public static let invalidPrompt = Kind(rawValue: "invalid-prompt")
        /// A model folder is missing a file or field, or has an architecture we do not run.
        public static let invalidModel = Kind(rawValue: "invalid-model")
        /// The endpoint answered with an HTTP error status that retries did not cure (`status`
        /// holds it).
        public static let http = Kind(rawValue: "http")
        /// The endpoint could not be reached or the connection failed.
        public static let transport = Kind(rawValue: "transport")
        /// A request or a deadline ran out of time.
        public static let timeout = Kind(rawValue: "timeout")
        /// The caller cancelled, or shut down what the call needed (a client, a reranker).
        public static let cancelled = Kind(rawValue: "cancelled")
        /// A reply could not be decoded or parsed.
        public static let badReply = Kind(rawValue: "bad-reply")
        /// The judgment store cannot be opened, read or written (a file that is not a database, a
        /// folder that cannot be created, a disk that is full, a lock held too long).
        public static let cache = Kind(rawValue: "cache")
        /// The judgment store was written by a newer llmrank (a schema this one does not know).
        public static let cacheIncompatible = Kind(rawValue: "cache-incompatible")
        /// The judgment store failed its integrity check.
        public static let cacheDamaged = Kind(rawValue: "cache-damaged")
        /// A configured limit (calls, tokens, deadline) was reached.
        public static let budget = Kind(rawValue: "budget")
        /// Strict mode turned a fallback into an error.
        public static let strict = Kind(rawValue: "strict")
        /// Setup is missing (a model or server not installed).
        public static let setup = Kind(rawValue: "setup")
    }

    /// What went wrong.
    public var kind: Kind
    /// One readable line of facts: what failed and where. Never an API key.
    public var message: String
    /// HTTP status, where the error came from an HTTP reply.
    public var status: Int?
    /// What the other side said, in its words and without the URL: an endpoint's error message
    /// ("maximum context length is 2048 tokens"), a transport failure ("Connection refused").
    /// Short (at most 160 characters), never an API key; nil where there is nothing to add.
    public var reason: String?
    /// Attempts the client made before giving up (the first one and its retries), where it made
    /// any: the run summary counts the retries of failed calls too.
    public var attempts: Int?

    /// An error of `kind` described by `message`, with the HTTP status and the other side's
    /// reason where there are.
    public init(_ kind: Kind, _ message: String, status: Int? = nil, reason: String? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.reason = reason.map { $0.count > 160 ? String($0.prefix(159)) + "…" : $0 }
    }

    /// The message.
    public var description: String { message }

    /// A short form safe for metrics and summaries: the kind and status, never the message.
    public var shortDescription: String {
        status.map { "\(kind.rawValue) \($0)" } ?? kind.rawValue
    }

    /// The short form followed by the other side's reason, where there is one
    /// (`http 400: maximum context length is 2048 tokens`): what a flag on a document says.
    public var shortDescriptionWithReason: String {
        reason.map { "\(shortDescription): \($0)" } ?? shortDescription
    }
}
