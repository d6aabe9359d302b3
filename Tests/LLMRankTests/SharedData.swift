import Foundation
import Testing

/// The evaluation data in `../shared/data` beside the clone (TREC DL19, NovelEval). A user's fresh
/// clone does not have it: tests that read it are skipped there, with the reason shown. Under CI
/// (`CI=true`) they always run, so missing data fails instead of passing silently.
enum SharedData {
    /// `../shared/data`, from this file's path (Tests/LLMRankTests/SharedData.swift).
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data").standardizedFileURL

    static var isPresent: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("trec-dl19/qrels.json").path) }

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether tests that need the data run: when it is there, and always under CI.
    static var testsRun: Bool { isPresent || inCI }

    static var skipReason: Comment {
        "needs the evaluation data in \(directory.path) (absent; under CI=true this test runs and fails)"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when `../shared/data` is there, or under CI (where its absence fails).
    static var needsSharedData: Self { .enabled(if: SharedData.testsRun, SharedData.skipReason) }
}
