import Foundation

/// Where llmrank keeps what it installs and caches: `${LLMRANK_HOME:-~/.cache/llmrank}` with
/// `bin/` (llama-server), `models/` (encoder folders, GGUF files) and `judgments.sqlite`.
public enum LLMRankPaths {
    /// `$LLMRANK_HOME`, else `~/.cache/llmrank`.
    public static func home(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let h = environment["LLMRANK_HOME"], !h.isEmpty { return URL(fileURLWithPath: h, isDirectory: true) }
        let userHome = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return userHome.appendingPathComponent(".cache/llmrank", isDirectory: true)
    }

    /// `models/` under the home: encoder folders and GGUF files.
    public static func models(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        home(environment: environment).appendingPathComponent("models", isDirectory: true)
    }

    /// `bin/` under the home: llama-server.
    public static func bin(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        home(environment: environment).appendingPathComponent("bin", isDirectory: true)
    }

    /// The default judgment store: `judgments.sqlite` under the home.
    public static func defaultCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        home(environment: environment).appendingPathComponent("judgments.sqlite")
    }
}
