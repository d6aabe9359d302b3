import Foundation

/// Runs blocking work (loading a model, opening a database file) on a thread of its own, so Swift's
/// cooperative threads are never held by it.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "llmrank.blocking"
            thread.start()
        }
    }
}
