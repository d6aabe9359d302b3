import ArgumentParser
import Foundation
import LLMRank

enum JSONOutput {
    static func string(_ value: some Encodable, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    Output.write(text + "\n", to: STDERR_FILENO)
}

/// Exit codes: 0 success; 1 an error the run could not get past; 2 bad input (a file, a flag, a
/// prompt, a model folder); 3 the endpoint failed (unreachable, refused, errors after retries);
/// 3 also when a PostgreSQL judgment store cannot be reached or refuses the login; 4 `--strict` met a fallback; 5 setup missing (a model or server not installed).
enum ExitCodes {
    static func code(for error: LLMRankError) -> Int32 {
        switch error.kind {
        case .invalidInput, .invalidPrompt, .invalidModel, .invalidProfile: 2
        case .http, .transport, .timeout, .badReply, .endpointUnavailable, .storeUnavailable: 3
        case .strict: 4
        case .setup: 5
        default: 1
        }
    }
}

/// The CLI's advice for an error, printed under the error line; nil when the message says it all.
/// Library errors carry kinds and facts; what to do about them in terms of this tool's flags and
/// commands is written here, once.
func hint(for error: LLMRankError) -> String? {
    switch error.kind {
    case .cache: "use --cache PATH for another file, or --no-cache"
    case .storeUnavailable: "check the --cache address (or LLMRANK_CACHE_URL) and that PostgreSQL is up; --no-cache runs without it"
    case .cacheIncompatible: "use --cache PATH for another file, or a newer llmrank"
    case .cacheDamaged: "run `llmrank cache clear`, or delete the file"
    case .http: httpHint(status: error.status)
    case .transport, .timeout, .endpointUnavailable: "check --base-url (or OPENAI_BASE_URL) and that the endpoint is up; `llmrank doctor` probes it"
    case .invalidProfile: "`llmrank profiles check FILE` validates a profile; `llmrank profiles list` shows the shipped ones"
    default: nil
    }
}

/// What to check for an HTTP status that retries did not cure.
private func httpHint(status: Int?) -> String? {
    switch status {
    case 401?, 403?: "check the API key: OPENAI_API_KEY, or the variable --api-key-env names"
    case 404?: "check --base-url and --model"
    default: nil
    }
}
