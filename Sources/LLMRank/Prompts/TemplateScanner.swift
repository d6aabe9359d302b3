import Foundation

/// A scan of a prompt's Mustache template for the tags it uses, each with its line in the template.
///
/// Prompt templates use a small subset of Mustache: variables (`{{query}}`, `{{{query}}}`,
/// `{{&query}}`, all rendered as raw text), the `{{#documents}}...{{/documents}}` section of a
/// listwise prompt (inverted `{{^documents}}` too) and comments (`{{! ... }}`). Partials, blocks,
/// delimiter changes, pragmas and transforms are rejected: a prompt is one self-contained file, and
/// every placeholder it uses must be known at load time. swift-mustache does the rendering; this
/// scanner exists because its token tree is internal and we need names and lines to validate.
struct TemplateScanner {
    enum TagKind: Equatable {
        case variable
        case section
        case invertedSection
        case sectionEnd
        case comment
    }

    struct Tag: Equatable {
        var kind: TagKind
        var name: String
        /// 1-based line in the template text.
        var line: Int
    }

    /// What went wrong, with the template line; the loader adds file and field.
    struct Problem: Error, Equatable {
        var line: Int
        var message: String
    }

    /// The tags of `template` in order, sections checked for balance.
    static func scan(_ template: String) throws(Problem) -> [Tag] {
        var tags: [Tag] = []
        var open: [Tag] = []
        var line = 1
        var i = template.startIndex
        let end = template.endIndex

        while i < end {
            guard let start = template[i...].range(of: "{{") else { break }
            line += template[i..<start.lowerBound].count(where: \.isNewline)
            let tagLine = line
            var cursor = start.upperBound
            let triple = cursor < end && template[cursor] == "{"
            if triple { cursor = template.index(after: cursor) }
            let closer = triple ? "}}}" : "}}"
            guard let close = template[cursor...].range(of: closer) else {
                throw Problem(line: tagLine, message: "tag '{{' is never closed with '\(closer)'")
            }
            let body = template[cursor..<close.lowerBound]
            line += body.count(where: \.isNewline)
            i = close.upperBound

            var kind = TagKind.variable
            var nameText = Substring(body)
            if !triple, let sigil = body.first {
                switch sigil {
                case "#": kind = .section; nameText = body.dropFirst()
                case "^": kind = .invertedSection; nameText = body.dropFirst()
                case "/": kind = .sectionEnd; nameText = body.dropFirst()
                case "!": kind = .comment; nameText = ""
                case "&": nameText = body.dropFirst()
                case ">", "<":
                    throw Problem(line: tagLine, message: "partials ({{\(sigil)...}}) are not supported; a prompt is one file")
                case "$":
                    throw Problem(line: tagLine, message: "blocks ({{$...}}) are not supported")
                case "=":
                    throw Problem(line: tagLine, message: "changing delimiters ({{=...=}}) is not supported")
                case "%":
                    throw Problem(line: tagLine, message: "pragmas ({{%...}}) are not supported")
                default: break
                }
            }
            if kind == .comment {
                tags.append(Tag(kind: .comment, name: "", line: tagLine))
                continue
            }
            let name = nameText.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else {
                throw Problem(line: tagLine, message: "empty tag '{{\(body)\(closer)'")
            }
            guard isPlainName(name) else {
                throw Problem(line: tagLine, message:
                    "tag '{{\(body)\(closer)' is not a plain placeholder name (letters, digits, '_'); dotted names and transforms are not supported")
            }
            let tag = Tag(kind: kind, name: name, line: tagLine)
            switch kind {
            case .section, .invertedSection:
                open.append(tag)
            case .sectionEnd:
                guard let top = open.popLast() else {
                    throw Problem(line: tagLine, message: "'{{/\(name)}}' closes a section that was never opened")
                }
                guard top.name == name else {
                    throw Problem(line: tagLine, message: "'{{/\(name)}}' closes section '\(top.name)' opened on line \(top.line)")
                }
            case .variable, .comment:
                break
            }
            tags.append(tag)
        }
        if let unclosed = open.last {
            throw Problem(line: unclosed.line, message: "section '\(unclosed.name)' is never closed with '{{/\(unclosed.name)}}'")
        }
        return tags
    }

    private static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII
        else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
