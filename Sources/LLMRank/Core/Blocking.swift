import Foundation

/// Runs blocking work (loading a model, opening a database file) on a thread of its own, so Swift's
/// cooperative threads are never held by it. Every layer that does such work (the stores, the
/// encoder stage, the reranker) goes through this one helper.
enum Blocking {
    /// Runs `work` on a new thread and returns its result (or rethrows its error) to the caller.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "llmrank.blocking"
            thread.start()
        }
    }
}
