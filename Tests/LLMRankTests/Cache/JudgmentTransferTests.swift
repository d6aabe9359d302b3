import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// Export and import of judgments (JSON Lines) on every store, and `llmrank cache export | import`.
@Suite struct JudgmentTransferTests {
    /// Keys that sort bytewise in an order that differs from a case-insensitive or locale order.
    static let keys = (0..<7).map { String(format: "%064x", $0 * 0x1111) }

    @Test(arguments: StoreKind.allCases)
    func entriesPageThroughTheStoreInKeyOrderAndAnUnreadableOneIsNil(kind: StoreKind) async throws {
        let subject = try await kind.make()
        let store = subject.store
        for (i, key) in Self.keys.reversed().enumerated() { try await store.put(key: key, reply: CacheFixtures.reply(i)) }
        try await subject.damage(Self.keys[3], .negativeTokens)
        var seen: [String] = []
        var after: String?
        while true {
            let page = try await store.entries(after: after, limit: 3)
            #expect(page.count <= 3)
            guard let last = page.last else { break }
            seen += page.map(\.key)
            #expect(page.allSatisfy { ($0.reply == nil) == ($0.key == Self.keys[3]) })
            after = last.key
        }
        #expect(seen == Self.keys)
        // Paging is no lookup.
        let stats = try await store.stats()
        #expect(stats.sessionHits == 0 && stats.sessionMisses == 0)
        await subject.remove()
    }

    @Test(arguments: StoreKind.allCases)
    func anExportImportedIntoAnEmptyStoreGivesBackEveryReplyWhole(kind: StoreKind) async throws {
        let source = try await StoreKind.memory.make()
        for (i, key) in Self.keys.enumerated() {
            try await source.store.put(key: key, reply: CacheFixtures.reply(i, createdAt: Date(timeIntervalSince1970: 1_790_000_000.5 + Double(i))))
        }
        try await source.store.recordHit(key: Self.keys[0])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        let exported = try await JudgmentTransfer.export(from: source.store, to: handle, pageSize: 2)
        try handle.close()
        #expect(exported == JudgmentTransfer.Counts(transferred: 7))
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 7)

        let target = try await kind.make()
        let entries = try JudgmentTransfer.read(path: file.path)
        let counts = try await JudgmentTransfer.importEntries(entries, into: target.store)
        #expect(counts.transferred == 7 && counts.alreadyPresent == 0)
        for key in Self.keys {
            let original = try #require(try await source.store.get(key: key))
            #expect(try await target.store.get(key: key) == original)
        }
        // A second import keeps what is there.
        let again = try await JudgmentTransfer.importEntries(entries, into: target.store)
        #expect(again.transferred == 0 && again.alreadyPresent == 7)
        await source.remove()
        await target.remove()
    }

    @Test func aMalformedLineIsNamedWithItsLine() throws {
        let good = try JSONEncoder().encode(try JudgmentTransfer.Line(key: Self.keys[0], reply: CacheFixtures.reply(1), location: "test"))
        let goodText = String(decoding: good, as: UTF8.self)
        /// The good line with one field changed (nil: removed), keys sorted.
        func changed(_ field: String, _ value: Any?) throws -> String {
            var object = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
            object[field] = value
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        let cases: [(String, String)] = [
            ("{\"v\": 1", "not a JSON object of an exported judgment"),
            (try changed("v", 9), "version 9; this llmrank reads 1"),
            (try changed("key", "../etc"), "field 'key' is not 64 lowercase hex digits"),
            (try changed("hits", "many"), "field 'hits' has the wrong type"),
            (try changed("hits", -4), "unusable judgment: a negative hit count"),
            (try changed("model", nil), "no field 'model'"),
        ]
        for (line, message) in cases {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            try (goodText + "\n\n" + line + "\n").write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: LLMRankError.self) { try JudgmentTransfer.read(path: file.path) }
            #expect(error?.kind == .invalidInput)
            #expect(error?.message == "\(file.path):3: \(message)", "\(line)")
        }
    }

    /// A laptop's SQLite cache moved into another store with the CLI: the judgments answer there
    /// with no call; a bad file is one line and exit 2 and stores nothing.
    @Test func theCacheCommandsMoveACacheFromFileToFile() throws {
        let dir = try CacheCommandTests.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let docs = dir.appendingPathComponent("docs.jsonl")
        try CacheCommandTests.docs.write(to: docs, atomically: true, encoding: .utf8)
        let server = try CacheCommandTests.judge()
        let laptop = dir.appendingPathComponent("laptop.sqlite").path
        let shared = dir.appendingPathComponent("shared.sqlite").path
        #expect(try CacheCommandTests.rerank(server, docs: docs.path, cache: laptop).status == 0)
        #expect(server.requestCount == 2)

        let export = dir.appendingPathComponent("judgments.jsonl").path
        let exported = try CLIRunner().run(["cache", "export", export, "--cache", laptop])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stderr.contains("exported 2 judgments from \(laptop)"))
        let imported = try CLIRunner().run(["cache", "import", export, "--cache", shared])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "imported 2 judgments into \(shared); 0 were there already\n")
        let rerun = try CacheCommandTests.rerank(server, docs: docs.path, cache: shared)
        #expect(rerun.status == 0 && rerun.stderr.contains("0 calls, 2 cache hits"), "\(rerun.stderr)")
        #expect(server.requestCount == 2)

        let bad = dir.appendingPathComponent("bad.jsonl").path
        try "{\"v\": 2}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let fresh = dir.appendingPathComponent("fresh.sqlite").path
        let refused = try CLIRunner().run(["cache", "import", bad, "--cache", fresh])
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("llmrank: \(bad):1: "), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }
}
