import Foundation
import Synchronization

/// Everything the CLI writes to stdout and stderr goes through write(2): a full disk, a closed pipe
/// or a closed descriptor is recorded (stdout) or ignored (stderr), never a trap. `main` turns a
/// failed stdout write into one line on stderr and exit code 1, so exit 0 always means the output
/// arrived.
enum Output {
    private static let failure = Mutex<String?>(nil)

    /// The first stdout write that failed, as "why".
    static var stdoutFailure: String? { failure.withLock { $0 } }

    /// Writes all of `text` to `fd`; false (with errno's text in `why`) when it could not.
    @discardableResult
    static func write(_ text: String, to fd: Int32) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                if fd == STDOUT_FILENO {
                    let why = String(cString: strerror(errno))
                    failure.withLock { if $0 == nil { $0 = why } }
                }
                return false
            }
            offset += n
        }
        return true
    }

    /// Ignores SIGPIPE (a closed pipe becomes EPIPE, reported like any failed write) and makes
    /// SIGQUIT end the run like SIGTERM, so the embedded server stops with it and no backtrace runs.
    static func installSignalPolicy() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGQUIT) { _ in kill(getpid(), SIGTERM) }
    }
}

/// Writes to stdout through `Output` (the CLI's only way to stdout).
func print(_ text: String, terminator: String = "\n") {
    Output.write(text + terminator, to: STDOUT_FILENO)
}
