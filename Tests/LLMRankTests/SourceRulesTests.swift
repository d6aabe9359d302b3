import Foundation
import Testing

/// The rules of the code base that a compiler does not check: every public symbol has a `///`
/// doc comment, and no hand-written source file grows past about 400 lines.
@Suite struct SourceRulesTests {
    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Swift files under `Sources/` (generated files included: they are documented too).
    static func sources() throws -> [URL] {
        let sources = root.appendingPathComponent("Sources")
        let walker = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            .sorted { $0.path < $1.path }
    }

    /// A line that declares a public or open symbol (not an extension, whose members carry the docs,
    /// nor an import).
    static func declaresPublicSymbol(_ line: Substring) -> Bool {
        var words = line.split(whereSeparator: \.isWhitespace)
        while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
        guard let first = words.first, first == "public" || first == "open" else { return false }
        guard words.count > 1 else { return false }
        return !["extension", "import"].contains(words[1])
    }

    /// The undocumented public symbols of one file's text, as `line: text`.
    static func undocumented(in text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var found: [String] = []
        for (i, line) in lines.enumerated() where declaresPublicSymbol(line) {
            var j = i - 1
            while j >= 0, lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("@") { j -= 1 }
            let previous = j >= 0 ? lines[j].trimmingCharacters(in: .whitespaces) : ""
            if !(previous.hasPrefix("///") || previous.hasSuffix("*/")) {
                found.append("\(i + 1): \(line.trimmingCharacters(in: .whitespaces).prefix(80))")
            }
        }
        return found
    }

    @Test func theCheckSeesWhatItShould() {
        let text = """
            /// Documented.
            public struct A {
                public var undocumented: Int
                /// Documented.
                @inlinable
                public func f() {}
                public static let alsoUndocumented = 1
            }
            public extension A {}
            public import Foundation
            """
        #expect(Self.undocumented(in: text) == ["3: public var undocumented: Int", "7: public static let alsoUndocumented = 1"])
    }

    @Test func everyPublicSymbolIsDocumented() throws {
        var missing: [String] = []
        for file in try Self.sources() {
            let relative = file.path.replacingOccurrences(of: Self.root.path + "/", with: "")
            missing += Self.undocumented(in: try String(contentsOf: file, encoding: .utf8)).map { "\(relative):\($0)" }
        }
        #expect(missing.isEmpty, "\(missing.count) public symbols without a /// comment:\n\(missing.joined(separator: "\n"))")
    }

    @Test func noSourceFileIsOverAbout400Lines() throws {
        var long: [String] = []
        for file in try Self.sources() where !file.lastPathComponent.hasPrefix("Shipped") {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count
            if lines > 420 { long.append("\(file.lastPathComponent): \(lines) lines") }
        }
        #expect(long.isEmpty, "split these files: \(long.joined(separator: ", "))")
    }
}
