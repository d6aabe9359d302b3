/// The one repair -> fallback loop every method shares. Ask; when the reply is unusable, send it
/// back as the assistant turn with the prompt's repair message and ask once more (the second call
/// counts one repair; a success is flagged `repair-retry` with what was wrong). When that reply
/// is unusable too, the fallback is explicit: the last call is marked `fallback` and the judgment
/// flagged `fallback` with the reason, never a silent default. A call the budget or the endpoint
/// stopped leaves its flag and no value.
struct RepairLoop<Strategy: RankingStrategy>: Sendable {
    /// Sends the requests and reads the replies.
    let strategy: Strategy
    /// Makes the calls.
    let session: JudgeSession

    /// The end of one loop: the value, if a reply gave one, and the calls and flags it took.
    struct Outcome: Sendable {
        /// The reading of the usable reply; nil when there was none.
        var value: Strategy.Value?
        /// The flags of the loop and of the reading, all with a stage.
        var flags: [Flag]
        /// One record per call made.
        var calls: [CallRecord]
    }

    /// Runs the loop for `messages` about `size` documents. `repair` is the prompt's repair turn;
    /// `fallback` says what happens to the documents without a value ("window 1-20 kept its
    /// order"), the start of the fallback flag's detail.
    func run(_ messages: [ChatMessage], repair: ChatMessage, size: Int, fallback: String) async throws -> Outcome {
        var log = JudgeSession.Log()
        var value: Strategy.Value?
        if let first = try await session.call(strategy, messages, size: size, into: &log) {
            switch strategy.read(first.response, size: size) {
            case .success(let reading):
                value = reading.value
                log.flags += reading.flags.map { $0.in(session.stage) }
            case .failure(let failure):
                let repaired = messages + [.assistant(first.response.content), repair]
                if let second = try await session.call(strategy, repaired, size: size, into: &log) {
                    log.calls[log.calls.count - 1].repairs = 1
                    switch strategy.read(second.response, size: size) {
                    case .success(let reading):
                        value = reading.value
                        log.flags.append(Flag(.repairRetry, stage: session.stage, failure.reason))
                        log.flags += reading.flags.map { $0.in(session.stage) }
                    case .failure(let again):
                        log.calls[log.calls.count - 1].fallback = true
                        log.flags.append(Flag(.fallback, stage: session.stage, "\(fallback): \(again.reason)"))
                    }
                }
            }
        }
        return Outcome(value: value, flags: log.flags, calls: log.calls)
    }
}
