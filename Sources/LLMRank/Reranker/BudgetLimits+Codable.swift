/// A profile's `budget:` mapping: `max_calls`, `max_tokens` and `deadline` (seconds), each optional.
extension BudgetLimits: Codable {
    static let keys = ["max_calls", "max_tokens", "deadline"]

    /// Reads the `budget:` mapping; unknown fields are errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        let seconds = try c.optional(Double.self, "deadline")
        if let seconds, !(seconds.isFinite && seconds > 0 && seconds <= 31_536_000) {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [AnyCodingKey("deadline")],
                                                    debugDescription: "must be a positive number of seconds, got \(seconds)"))
        }
        self.init(maxCalls: try c.optional(Int.self, "max_calls"), maxTokens: try c.optional(Int.self, "max_tokens"),
                  deadline: seconds.map(BudgetLimits.duration(seconds:)))
    }

    /// Writes the mapping a profile would hold.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(maxCalls, "max_calls")
        try c.put(maxTokens, "max_tokens")
        try c.put(deadline.map(BudgetLimits.seconds), "deadline")
    }

    /// A duration of `seconds`, to the millisecond; held to [0, 10^12 s] (NaN is 0), so no value traps.
    public static func duration(seconds: Double) -> Duration {
        let held = seconds.isNaN ? 0 : min(max(seconds, 0), 1e12)
        return .milliseconds(Int64((held * 1000).rounded()))
    }

    /// A duration in seconds.
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func validate(_ path: [String]) throws {
        try ConfigurationCheck.atLeast(maxCalls, 1, path + ["max_calls"])
        try ConfigurationCheck.atLeast(maxTokens, 1, path + ["max_tokens"])
        if let deadline, deadline <= .zero { throw ConfigurationFault(path: path + ["deadline"], message: "must be positive") }
    }
}
