import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The README's exit-code sentence and the CLI agree: each code is read from the README and
/// produced by the built binary through a case of its cause.
@Suite struct ExitCodeTableTests {
    /// `code -> what the README says it means`, from the "**Exit codes.**" paragraph.
    static func readmeCodes() throws -> [Int32: String] {
        let readme = try String(contentsOf: EmbeddedYAMLFiles.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "**Exit codes.**"))
        let paragraph = readme[start.upperBound...].prefix { $0 != "*" }
        var codes: [Int32: String] = [:]
        for part in paragraph.replacingOccurrences(of: "\n", with: " ").split(separator: ";") {
            let words = part.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            if let first = words.first, let code = Int32(first), words.count == 2 { codes[code] = String(words[1]) }
        }
        return codes
    }

    @Test func everyDocumentedCodeHasItsCause() throws {
        let codes = try Self.readmeCodes()
        #expect(Set(codes.keys) == [0, 1, 2, 3, 4, 5], "\(codes)")
        #expect(codes[2]?.contains("bad input") == true)
        #expect(codes[3]?.contains("endpoint") == true)
        #expect(codes[4]?.contains("--strict") == true)
        #expect(codes[5]?.contains("setup missing") == true)

        let dir = try RerankCommandTests.tempDir()
        let docs = try RerankCommandTests.write(RerankCommandTests.docs, "docs.jsonl", in: dir)
        let judge = try RerankCommandTests.judge()
        let cli = try CLIRunner()
        func status(_ args: [String], _ env: [String: String] = [:]) throws -> Int32 { try cli.run(args, environment: env).status }
        let base = ["rerank", "--query", "q", "--docs", docs, "--model", "m", "--no-cache"]

        #expect(try status(base + ["--base-url", judge.baseURL]) == 0)
        #expect(try status(["cache", "stats", "--cache", dir.appendingPathComponent("none.sqlite").path]) == 2)  // no such file
        #expect(try status(base + ["--window", "0"]) == 2)                                                    // a flag
        #expect(try status(["rerank", "--query", "q", "--docs", dir.appendingPathComponent("missing.jsonl").path]) == 2)
        let dead = try LoopbackHTTP.freePort()
        #expect(try status(base + ["--base-url", "http://127.0.0.1:\(dead)/v1", "--max-attempts", "1"]) == 3)
        let mute = try StubLLMServer { _ in StubLLMServer.reply("no idea") }                                   // unusable replies
        #expect(try status(base + ["--base-url", mute.baseURL, "--strict"]) == 4)
        let emptyHome = dir.appendingPathComponent("home").path
        #expect(try status(base + ["--base-url", "local"], ["LLMRANK_HOME": emptyHome]) == 5)                  // no llama-server
        #expect(try status(base + ["--method", "encoder"], ["LLMRANK_HOME": emptyHome]) == 5)                  // no encoder
        // 1: the output could not be written.
        let process = Process()
        process.executableURL = cli.executable
        process.arguments = ["profiles", "list"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
    }
}
