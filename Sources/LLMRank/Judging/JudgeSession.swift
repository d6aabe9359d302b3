/// The calls of one `Judge.rerank`: each reserved from the query's budget, adapted to what the
/// endpoint accepts, and recorded. A call that fails for its own document only (retries
/// exhausted, a reply that would not decode, content the endpoint refused) becomes a flag and the
/// run goes on; errors that would fail every call (a rejected key, an unknown model) are thrown.
struct JudgeSession: Sendable {
    /// Where the calls go (the judgment cache in front of the client, where there is one).
    let chat: any ChatCompleting
    /// The request features the run still uses.
    let modes: ModeState
    /// The query's budget, if it has one.
    let budget: Budget?
    /// The stage name the flags carry.
    let stage: String

    /// The calls made for one judgment and the flags they raised.
    struct Log: Sendable {
        /// Flags raised by calls (`budget-exhausted`, `endpoint-failed`) and by the repair loop.
        var flags: [Flag] = []
        /// One record per call made.
        var calls: [CallRecord] = []
    }

    /// Makes one call of `strategy` within the budget. Returns nil (and flags `log`) when the
    /// budget is spent or the endpoint failed for this call; throws only for errors that would
    /// fail every call.
    func call<Strategy: RankingStrategy>(_ strategy: Strategy, _ messages: [ChatMessage], size: Int,
                                         into log: inout Log) async throws -> ChatResult?
    {
        if let budget, let reason = await budget.reserve() {
            log.flags.append(Flag(.budgetExhausted, stage: stage, reason))
            return nil
        }
        do {
            // A call still running at the deadline is cancelled (its transfer and any retries it
            // is waiting for), so the query returns at its deadline, not when the endpoint answers.
            guard let result = try await Self.within(await budget?.remaining(), {
                try await adaptiveCall(strategy, messages, size: size)
            }) else {
                log.calls.append(CallRecord(attempts: 1))
                log.flags.append(Flag(.budgetExhausted, stage: stage,
                                      "deadline \(budget?.limits.deadline ?? .zero) (call cancelled)"))
                return nil
            }
            await budget?.settle(result.record)
            log.calls.append(result.record)
            return result
        } catch let error as LLMRankError where Self.isDocumentLevel(error) {
            await budget?.release()
            var record = CallRecord(attempts: error.attempts ?? 1)
            record.status = error.status
            record.fallback = true
            log.calls.append(record)
            log.flags.append(Flag(.endpointFailed, stage: stage, error.shortDescriptionWithReason))
            return nil
        } catch {
            await budget?.release()
            throw error
        }
    }

    /// The value of `body`, or nil when `limit` passes first (`body` is then cancelled and
    /// awaited). Without a limit, just `body`.
    static func within<T: Sendable>(_ limit: Duration?, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        guard let limit else { return try await body() }
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
        } catch is CancellationError {
            // The caller was cancelled while the timer ran: the same error the client gives.
            throw LLMRankError(.cancelled, "the query was cancelled")
        }
    }

    /// Errors that concern this call only (retries exhausted, a reply that would not decode, a
    /// request the endpoint refused for its content, such as an over-long document); the others
    /// (a rejected key, an unknown model or path, cancellation) would fail every call.
    static func isDocumentLevel(_ error: LLMRankError) -> Bool {
        switch error.kind {
        case .transport, .timeout, .badReply: return true
        case .http:
            guard let status = error.status else { return true }
            return ChatClient.isRetryable(status: status) || status == 400 || status == 413 || status == 422
        default: return false
        }
    }

    /// An endpoint that rejects a feature (400 or 422 naming it): drop it and ask again
    /// (json_schema, then json_object, then logprobs), remembering the choice for the rest of the run.
    private func adaptiveCall<Strategy: RankingStrategy>(_ strategy: Strategy, _ messages: [ChatMessage],
                                                         size: Int) async throws -> ChatResult
    {
        while true {
            let request = strategy.request(messages, size: size, features: await modes.current)
            do {
                return try await chat.complete(request)
            } catch let error as LLMRankError where error.status == 400 || error.status == 422 {
                guard await modes.downgrade(after: request, error: error.message) else { throw error }
            }
        }
    }
}
