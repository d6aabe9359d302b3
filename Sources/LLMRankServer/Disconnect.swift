import Hummingbird
import NIOCore
import Synchronization

/// The request context of the server's routes: Hummingbird's core context plus the connection, so a
/// rerank can stop when its client goes away.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}

/// Closes a connection whose client has closed its side. Hummingbird keeps half-closed
/// connections open (to answer a client that only shut its writing side), which hides a client
/// that hung up; no HTTP/1.1 rerank client half-closes and then waits for an answer, so a closed
/// input means the client is gone, and closing the channel lets `Disconnect.race` cancel its work.
final class DisconnectDetector: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Runs a request's work until it finishes or the connection closes, whichever comes first; a
/// closed connection cancels the work (its LLM calls included) and is reported as `nil`.
enum Disconnect {
    static func race<T: Sendable>(_ channel: any Channel, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                await closed(channel.closeFuture)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// Returns when `future` completes or the task is cancelled.
    private static func closed(_ future: EventLoopFuture<Void>) async {
        let waiter = Waiter()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter.install(continuation)
                future.whenComplete { _ in waiter.resume() }
            }
        } onCancel: {
            waiter.resume()
        }
    }

    /// A continuation resumed exactly once, by whichever comes first.
    private final class Waiter: Sendable {
        private let state = Mutex<(done: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

        func install(_ continuation: CheckedContinuation<Void, Never>) {
            let resumeNow = state.withLock { s in
                if s.done { return true }
                s.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }

        func resume() {
            let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.done = true
                defer { s.continuation = nil }
                return s.continuation
            }
            continuation?.resume()
        }
    }
}
