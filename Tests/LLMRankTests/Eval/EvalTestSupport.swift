import Foundation
import Testing
@testable import LLMRank

/// Paths and scratch files for the Eval tests.
enum EvalPaths {
    /// The package root, from this file's path (Tests/LLMRankTests/Eval/EvalTestSupport.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) -> URL {
        root.appendingPathComponent("fixtures/eval/\(name)")
    }

    /// A file of the shared evaluation data (`../shared/data` beside the clone), or a test failure
    /// that says where it was looked for.
    static func sharedData(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(relative)").standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            Issue.record("shared evaluation data missing: \(url.path) (expected ../shared/data beside the package root)",
                         sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return url.path
    }

    /// Loads a JSON fixture as a dictionary.
    static func loadFixture(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixture(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// A fresh temporary directory, removed when the value goes away.
final class EvalScratchDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// The message of the `.invalidInput` error `body` throws (a test failure if it throws another or none).
func evalInvalidInputMessage(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String {
    do {
        try body()
        Issue.record("expected an invalid-input error, got none", sourceLocation: sourceLocation)
    } catch let e as LLMRankError {
        #expect(e.kind == .invalidInput, sourceLocation: sourceLocation)
        return e.message
    } catch {
        Issue.record("expected LLMRankError, got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}
