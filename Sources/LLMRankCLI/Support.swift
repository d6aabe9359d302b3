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
/// 4 `--strict` met a fallback; 5 setup missing (a model or server not installed).
enum ExitCodes {
    static func code(for error: LLMRankError) -> Int32 {
        switch error.kind {
        case .invalidInput, .invalidPrompt, .invalidModel, .invalidProfile: 2
        case .http, .transport, .timeout, .badReply, .endpointUnavailable: 3
        case .strict: 4
        case .setup: 5
        default: 1
        }
    }
}

/// The CLI's advice for an error kind, printed under the error line; nil when the message says it all.
func hint(for error: LLMRankError) -> String? {
    switch error.kind {
    case .cache: "use --cache PATH for another file, or --no-cache"
    case .transport, .timeout, .endpointUnavailable: "check --base-url (or OPENAI_BASE_URL) and that the endpoint is up; `llmrank doctor` probes it"
    case .invalidProfile: "`llmrank profiles check FILE` validates a profile; `llmrank profiles list` shows the shipped ones"
    default: nil
    }
}
