/// A JSON value together with the line it starts on, so that readers can name the line of a
/// malformed hit or judgment, not only of a syntax error. Numbers keep their literal text, so an
/// integer id like `8841823` or `12345678901234567890` is read back exactly as written.
///
/// A small recursive-descent parser over UTF-8 bytes (RFC 8259). Nesting deeper than
/// `maxDepth` is an error rather than a stack overflow.
struct LocatedJSON: Sendable {
    enum Value: Sendable {
        case null
        case bool(Bool)
        case number(literal: String, value: Double)
        case string(String)
        case array([LocatedJSON])
        /// Members in file order; `member(_:)` returns the last of repeated keys.
        case object([(key: String, value: LocatedJSON)])
    }

    var value: Value
    /// 1-based line of the value's first character.
    var line: Int

    /// What the value is, for messages ("an array", "a string").
    var kindName: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    var members: [(key: String, value: LocatedJSON)]? {
        if case .object(let m) = value { return m }
        return nil
    }

    var elements: [LocatedJSON]? {
        if case .array(let a) = value { return a }
        return nil
    }

    func member(_ key: String) -> LocatedJSON? {
        members?.last(where: { $0.key == key })?.value
    }

    /// The plain value, for metadata.
    var jsonValue: JSONValue {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(_, let v): .number(v)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(\.jsonValue))
        case .object(let m):
            .object(Dictionary(m.map { ($0.key, $0.value.jsonValue) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// A syntax error at a line and column (both 1-based).
    struct SyntaxError: Error, Sendable {
        var line: Int
        var column: Int
        var message: String
    }

    static let maxDepth = 512

    /// Parses one JSON text. `firstLine` numbers the first line (for a JSONL line, its line in
    /// the file). Whitespace around the value is allowed; anything else after it is an error.
    static func parse(_ bytes: [UInt8], firstLine: Int = 1) throws(SyntaxError) -> LocatedJSON {
        var p = Parser(bytes: bytes, line: firstLine)
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.i < bytes.count { throw p.error("unexpected \(p.describeCurrent()) after the JSON value") }
        return v
    }
}

private struct Parser {
    let bytes: [UInt8]
    var i = 0
    var line: Int
    var lineStart = 0

    init(bytes: [UInt8], line: Int) {
        self.bytes = bytes
        self.line = line
    }

    func error(_ message: String) -> LocatedJSON.SyntaxError {
        LocatedJSON.SyntaxError(line: line, column: i - lineStart + 1, message: message)
    }

    func describeCurrent() -> String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case UInt8(ascii: "\n"):
                i += 1
                line += 1
                lineStart = i
            default:
                return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(LocatedJSON.SyntaxError) -> LocatedJSON {
        guard i < bytes.count else { throw error("unexpected end of input, expected a value") }
        let startLine = line
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < LocatedJSON.maxDepth else { throw error("nesting deeper than \(LocatedJSON.maxDepth)") }
            return LocatedJSON(value: .object(try parseObject(depth: depth + 1)), line: startLine)
        case UInt8(ascii: "["):
            guard depth < LocatedJSON.maxDepth else { throw error("nesting deeper than \(LocatedJSON.maxDepth)") }
            return LocatedJSON(value: .array(try parseArray(depth: depth + 1)), line: startLine)
        case UInt8(ascii: "\""):
            return LocatedJSON(value: .string(try parseString()), line: startLine)
        case UInt8(ascii: "t"):
            try expectWord("true")
            return LocatedJSON(value: .bool(true), line: startLine)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return LocatedJSON(value: .bool(false), line: startLine)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return LocatedJSON(value: .null, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return LocatedJSON(value: try parseNumber(), line: startLine)
        default:
            throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    mutating func expectWord(_ word: StaticString) throws(LocatedJSON.SyntaxError) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= bytes.count, bytes[i..<(i + w.count)].elementsEqual(w) else {
            throw error("unexpected \(describeCurrent()), expected a value")
        }
        i += w.count
    }

    mutating func parseObject(depth: Int) throws(LocatedJSON.SyntaxError) -> [(key: String, value: LocatedJSON)] {
        i += 1 // {
        var members: [(key: String, value: LocatedJSON)] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return members
        }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()), expected a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()), expected ':' after key \"\(key)\"")
            }
            i += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input, expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return members
            }
            throw error("unexpected \(describeCurrent()), expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws(LocatedJSON.SyntaxError) -> [LocatedJSON] {
        i += 1 // [
        var elements: [LocatedJSON] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input, expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return elements
            }
            throw error("unexpected \(describeCurrent()), expected ',' or ']'")
        }
    }

    mutating func parseString() throws(LocatedJSON.SyntaxError) -> String {
        i += 1 // opening quote
        var out: [UInt8] = []
        var runStart = i
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<i])
                i += 1
                break
            }
            if b < 0x20 { throw error("unescaped control character in a string") }
            if b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            out.append(contentsOf: bytes[runStart..<i])
            i += 1
            guard i < bytes.count else { throw error("unterminated string") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in a \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("unpaired surrogate in a \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                i -= 1
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
            runStart = i
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return s
    }

    mutating func hex4() throws(LocatedJSON.SyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    mutating func parseNumber() throws(LocatedJSON.SyntaxError) -> LocatedJSON.Value {
        let start = i
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number: digits expected after '.'") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number: digits expected in exponent") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let literal = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let v = Double(literal) else { throw error("invalid number '\(literal)'") }
        return .number(literal: literal, value: v)
    }
}
