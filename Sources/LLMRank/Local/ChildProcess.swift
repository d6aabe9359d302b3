#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A child process that must not outlive llmrank. Two mechanisms, because neither covers everything:
///
/// 1. On Linux the child is started through util-linux's `setpriv --pdeathsig KILL`, which sets
///    `PR_SET_PDEATHSIG` and then execs the real program (same pid). The kernel kills the child when
///    its parent *thread* dies, so every child is spawned from one dedicated thread that lives as long
///    as the process (`SpawnThread`); a pool thread could retire and take the child with it. This
///    covers Ctrl-C, `kill`, `kill -9`, crashes and a plain `exit()`.
/// 2. Where `setpriv` is missing (macOS, minimal images), a SIGINT/SIGTERM/SIGHUP handler sends
///    SIGTERM to the registered children and then re-raises the signal with its default action, so
///    llmrank still dies of the signal (exit status 130 for Ctrl-C). It is installed only for signals
///    whose disposition is still the default, and on Linux it runs as well, as a graceful first word.
final class ChildProcess: @unchecked Sendable {
    let pid: Int32
    let executable: String
    private let process: Process
    private let exitLock = NSCondition()
    private var exitStatus: Int32?
    private var exitedBySignal = false

    private init(process: Process, executable: String) {
        self.process = process
        self.executable = executable
        self.pid = process.processIdentifier
    }

    /// Launches `executable` with `arguments`, stdout and stderr appended to `log`, stdin closed.
    static func launch(executable: URL, arguments: [String], environment: [String: String],
                       log: URL) async throws -> ChildProcess
    {
        let (launcher, launchArguments) = wrapWithDeathSignal(executable: executable.path, arguments: arguments)
        guard FileManager.default.createFile(atPath: log.path, contents: nil),
              let logHandle = FileHandle(forWritingAtPath: log.path) else {
            throw LLMRankError(.setup, "cannot write the log file \(log.path)")
        }
        let spawned: ChildProcess = try await SpawnThread.shared.run {
            defer { try? logHandle.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: launcher)
            process.arguments = launchArguments
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = logHandle
            process.standardError = logHandle
            let box = TerminationBox()
            process.terminationHandler = { p in box.child?.markExited(p) }
            do {
                try process.run()
            } catch {
                throw LLMRankError(.setup, "cannot start \(executable.path): \(error)")
            }
            let child = ChildProcess(process: process, executable: executable.path)
            box.child = child
            if !process.isRunning { child.markExited(process) } // exited before the handler had a target
            return child
        }
        ChildRegistry.shared.add(spawned.pid)
        return spawned
    }

    var isRunning: Bool {
        exitLock.lock()
        defer { exitLock.unlock() }
        return exitStatus == nil
    }

    /// "exit status N" or "signal N", once it has exited.
    var exitDescription: String? {
        exitLock.lock()
        defer { exitLock.unlock() }
        guard let exitStatus else { return nil }
        return exitedBySignal ? "killed by signal \(exitStatus)" : "exit status \(exitStatus)"
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; returns once the child is reaped. Idempotent.
    func terminate(grace: Double = 5) async {
        await Self.offload { [self] in
            if waitForExit(seconds: 0) { return }
            kill(pid, SIGTERM)
            if waitForExit(seconds: grace) { return }
            kill(pid, SIGKILL)
            _ = waitForExit(seconds: 10)
        }
        ChildRegistry.shared.remove(pid)
    }

    /// Blocks until the child has exited or `seconds` pass; true when it has exited.
    func waitForExit(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        exitLock.lock()
        defer { exitLock.unlock() }
        while exitStatus == nil {
            if !exitLock.wait(until: deadline) { return exitStatus != nil }
        }
        return true
    }

    fileprivate func markExited(_ process: Process) {
        exitLock.lock()
        if exitStatus == nil {
            exitStatus = process.terminationStatus
            exitedBySignal = process.terminationReason == .uncaughtSignal
        }
        exitLock.broadcast()
        exitLock.unlock()
        ChildRegistry.shared.remove(pid)
    }

    deinit {
        // Last resort for a server nobody stopped: never leave it running.
        if isRunning { kill(pid, SIGKILL) }
    }

    /// Runs blocking work on a global queue, off the cooperative pool.
    static func offload<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(E) -> T in try work() })
            }
        }
        return try result.get()
    }

    // MARK: death signal

    /// `setpriv --pdeathsig KILL -- program args…` where setpriv exists (Linux), else the program.
    static func wrapWithDeathSignal(executable: String, arguments: [String]) -> (String, [String]) {
        #if os(Linux)
        if let setpriv = setprivPath {
            return (setpriv, ["--pdeathsig", "KILL", "--", executable] + arguments)
        }
        #endif
        return (executable, arguments)
    }

    /// `LLMRANK_LOCAL_NO_SETPRIV=1` turns mechanism 1 off, so tests can check the handler alone.
    static let setprivPath: String? = {
        if ProcessInfo.processInfo.environment["LLMRANK_LOCAL_NO_SETPRIV"] == "1" { return nil }
        let fm = FileManager.default
        for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let path = dir + "/setpriv"
            if fm.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
}

/// Lets the termination handler, set before `run()`, find the child object made after it.
private final class TerminationBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _child: ChildProcess?
    var child: ChildProcess? {
        get { lock.withLock { _child } }
        set { lock.withLock { _child = newValue } }
    }
}

/// One thread that lives as long as the process and runs every spawn, so that a child's
/// parent-death signal fires only when llmrank itself dies.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "llmrank-spawn"
        thread.start()
    }

    private func loop() {
        // A child inherits the spawning thread's signal mask, and Foundation/Dispatch threads block most
        // signals: without this, llama-server would start with SIGTERM blocked and ignore `stop()`.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            condition.lock()
            jobs.append { continuation.resume(returning: Result { try work() }) }
            condition.signal()
            condition.unlock()
        }
        return try result.get()
    }
}

/// The pids of live children, in a fixed array that a signal handler may read without locks.
final class ChildRegistry: @unchecked Sendable {
    static let shared = ChildRegistry()
    static let capacity = 64

    /// Read by the signal handler: plain loads of aligned 32-bit words.
    let slots: UnsafeMutablePointer<Int32>
    private let lock = NSLock()
    private var installed = false

    private init() {
        slots = .allocate(capacity: Self.capacity)
        slots.initialize(repeating: 0, count: Self.capacity)
    }

    func add(_ pid: Int32) {
        lock.withLock {
            if !installed {
                installed = true
                installSignalHandlers()
            }
            for i in 0..<Self.capacity where slots[i] == 0 {
                slots[i] = pid
                return
            }
        }
    }

    func remove(_ pid: Int32) {
        lock.withLock {
            for i in 0..<Self.capacity where slots[i] == pid { slots[i] = 0 }
        }
    }

    var live: [Int32] {
        lock.withLock { (0..<Self.capacity).map { slots[$0] }.filter { $0 > 0 } }
    }

    private func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var current = sigaction()
            guard sigaction(sig, nil, &current) == 0, Self.isDefault(current) else { continue }
            _ = signal(sig, llmrankChildSignalHandler)
        }
    }

    private static func isDefault(_ action: sigaction) -> Bool {
        #if canImport(Darwin)
        return unsafeBitCast(action.__sigaction_u.__sa_handler, to: Int.self) == 0
        #else
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 0
        #endif
    }
}

/// Async-signal-safe: reads the pid slots, sends SIGTERM, restores the default action and re-raises.
private func llmrankChildSignalHandler(_ sig: Int32) {
    let registry = ChildRegistry.shared // initialized before the handler was installed
    for i in 0..<ChildRegistry.capacity {
        let pid = registry.slots[i]
        if pid > 0 { kill(pid, SIGTERM) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
