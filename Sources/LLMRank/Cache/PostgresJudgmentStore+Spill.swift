import Foundation

/// Replies paid for while the PostgreSQL server was down past the reconnection deadline are not
/// lost: `put` appends them, before it fails, to a JSON Lines file (the export format,
/// `JudgmentTransfer`) under `$LLMRANK_HOME/pending/`, one file per server, database and schema;
/// the next process that opens the store writes them (keeping entries the store already has) and
/// deletes the file. So a run stopped by the outage resumes without paying for them again.
extension PostgresJudgmentStore {
    /// The spill file for `url` in `directory`: named by a hash of the address without password.
    static func spillFile(in directory: URL, for url: PostgresURL) -> URL {
        let name = CacheKey.sha256Hex(Data(url.description.utf8)).prefix(16)
        return directory.appendingPathComponent("postgres-\(name).jsonl")
    }

    /// Appends the reply to the spill file (a warning names it); a reply that cannot be kept is
    /// logged as lost.
    func keepSpilled(key: String, reply: CachedReply) {
        guard let spill else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var line = try encoder.encode(try JudgmentTransfer.Line(key: key, reply: reply, location: location))
            line.append(0x0A)
            try spillLock.withLock {
                try FileManager.default.createDirectory(at: spill.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: spill.path) {
                    _ = FileManager.default.createFile(atPath: spill.path, contents: nil, attributes: [.posixPermissions: 0o600])
                }
                let handle = try FileHandle(forWritingTo: spill)
                defer { try? handle.close() }
                try handle.seekToEnd()
                try handle.write(contentsOf: line)
            }
            logger?.warning("judgment cache: server unreachable, reply kept for the next run",
                            metadata: ["store": "\(location)", "key": "\(key)", "file": "\(spill.path)"])
        } catch {
            logger?.error("judgment cache: server unreachable and the reply could not be kept",
                          metadata: ["store": "\(location)", "key": "\(key)", "error": "\(error)"])
        }
    }

    /// Writes the spilled replies into the store and deletes the file. Lines that do not parse (a
    /// write cut short by a crash) are skipped with a warning.
    func writeSpilled() async throws {
        guard let spill, FileManager.default.fileExists(atPath: spill.path) else { return }
        // Taken aside first: a process that spills meanwhile starts a new file, which is not lost.
        let taken = spill.appendingPathExtension("writing-\(UUID().uuidString.prefix(8))")
        guard (try? FileManager.default.moveItem(at: spill, to: taken)) != nil, let data = try? Data(contentsOf: taken) else { return }
        var entries: [(key: String, reply: CachedReply)] = []
        for (index, text) in data.split(separator: 0x0A).enumerated() {
            do {
                entries.append(try JudgmentTransfer.parse(Data(text), at: "\(taken.path):\(index + 1)"))
            } catch {
                logger?.warning("judgment cache: a kept reply cannot be read", metadata: ["error": "\(error)"])
            }
        }
        let counts: JudgmentTransfer.Counts
        do {
            counts = try await JudgmentTransfer.importEntries(entries, into: self)
        } catch {
            // Put back for a later open: nothing kept is dropped.
            try? FileManager.default.moveItem(at: taken, to: spill)
            throw error
        }
        try? FileManager.default.removeItem(at: taken)
        logger?.notice("judgment cache: replies kept during an outage written", metadata: [
            "store": "\(location)", "written": "\(counts.transferred)", "already": "\(counts.alreadyPresent)",
        ])
    }
}
