import Foundation

/// Where a reader takes its bytes from: a file, standard input (`-`), or bytes in memory. `name`
/// is what error messages call it (the path as the user wrote it, `<stdin>`, or a caller's label).
struct InputFile {
    enum Source {
        case path(String)
        case stdin
        case data(Data)
        /// An open handle (a pipe in tests), read to its end.
        case handle(FileHandle)
    }

    var source: Source
    var name: String
    /// Bytes read at a time by `forEachLine`.
    var chunkSize = 1 << 20

    static func path(_ path: String) -> InputFile {
        path == "-" ? InputFile(source: .stdin, name: "<stdin>") : InputFile(source: .path(path), name: path)
    }

    static func handle(_ handle: FileHandle, name: String, chunkSize: Int = 1 << 20) -> InputFile {
        InputFile(source: .handle(handle), name: name, chunkSize: chunkSize)
    }

    static func data(_ data: Data, name: String) -> InputFile {
        InputFile(source: .data(data), name: name)
    }

    func invalid(_ line: Int?, _ message: String) -> LLMRankError {
        LLMRankError(.invalidInput, line.map { "\(name):\($0): \(message)" } ?? "\(name): \(message)")
    }

    /// The whole content (for JSON documents).
    func readAll() throws -> [UInt8] {
        switch source {
        case .data(let d):
            return [UInt8](d)
        case .stdin:
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        case .handle(let h):
            return [UInt8](h.readDataToEndOfFile())
        case .path(let p):
            do {
                return [UInt8](try Data(contentsOf: URL(fileURLWithPath: p)))
            } catch {
                throw Self.cannotRead(p, error)
            }
        }
    }

    /// Calls `body` with each line (without its `\n` or `\r\n`) and its 1-based number. Files are
    /// read in chunks, so a corpus much larger than memory can be filtered line by line.
    func forEachLine(_ body: (_ line: Substring, _ number: Int) throws -> Void) throws {
        var pending: [UInt8] = []
        var number = 0
        func emit(_ bytes: ArraySlice<UInt8>) throws {
            number += 1
            var slice = bytes
            if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
            // A byte-order mark on the first line is not part of the data.
            if number == 1, slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw invalid(number, "not valid UTF-8")
            }
            try body(Substring(text), number)
        }
        func consume(_ chunk: Data, final: Bool) throws {
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try emit(pending[start..<nl])
                start = nl + 1
            }
            pending.removeFirst(start)
            if final, !pending.isEmpty {
                try emit(pending[...])
                pending = []
            }
        }
        switch source {
        case .data(let d):
            try consume(d, final: true)
        case .stdin:
            try readChunks(FileHandle.standardInput, consume)
        case .handle(let h):
            try readChunks(h, consume)
        case .path(let p):
            let handle: FileHandle
            do {
                handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: p))
            } catch {
                throw Self.cannotRead(p, error)
            }
            defer { try? handle.close() }
            try readChunks(handle, consume)
        }
    }

    private func readChunks(_ handle: FileHandle, _ consume: (Data, Bool) throws -> Void) throws {
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw LLMRankError(.invalidInput, "cannot read \(name): \(error.localizedDescription)")
            }
            if chunk.isEmpty {
                try consume(Data(), true)
                return
            }
            try consume(chunk, false)
        }
    }

    private static func cannotRead(_ path: String, _ error: any Error) -> LLMRankError {
        if !FileManager.default.fileExists(atPath: path) {
            return LLMRankError(.invalidInput, "\(path): no such file")
        }
        return LLMRankError(.invalidInput, "cannot read \(path): \(error.localizedDescription)")
    }

    /// Parses the whole input as one JSON value; nil when it is empty or only whitespace.
    func readJSON() throws -> LocatedJSON? {
        var bytes = try readAll()
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return nil }
        do {
            return try LocatedJSON.parse(bytes)
        } catch {
            throw invalid(error.line, "invalid JSON at column \(error.column): \(error.message)")
        }
    }
}

/// Tab-separated fields. A field that begins and ends with a double quote and whose inner quotes
/// are all doubled is unquoted (`"a ""b"" c"` -> `a "b" c`): that is how pandas and Python's csv
/// module write a field that holds quotes or tabs (NovelEval's corpus.tsv does). Any other field is
/// taken verbatim, so raw MS MARCO text with stray quotes reads as written.
enum TSV {
    /// Splits `line` at its first tab: (first field, the rest of the line), each unquoted. The rest
    /// keeps any further tabs, so a text column may contain tabs. Nil when the line has no tab.
    static func splitFirst(_ line: Substring) -> (String, String)? {
        guard let tab = line.firstIndex(of: "\t") else { return nil }
        return (unquote(line[..<tab]), unquote(line[line.index(after: tab)...]))
    }

    static func unquote(_ field: Substring) -> String {
        guard field.count >= 2, field.first == "\"", field.last == "\"" else { return String(field) }
        let inner = field.dropFirst().dropLast()
        var out = ""
        var it = inner.makeIterator()
        while let c = it.next() {
            if c == "\"" {
                guard it.next() == "\"" else { return String(field) } // a lone quote: not quoted
                out.append("\"")
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Fields separated by runs of spaces or tabs (TREC run and qrels lines).
    static func whitespaceFields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }
}
