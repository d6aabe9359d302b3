/// Finds JSON in a model's reply and reads it leniently, the way models actually write it.
///
/// Accepted anywhere in the reply: a bare object or array, one inside a fenced code block (three
/// backticks, `json` or not), one with text before and after it. Each `{` or `[` is tried as the start
/// of a value; a value that parses is taken whole and the scan goes on after it, so nested values
/// are not reported twice. Leniencies, beyond strict JSON:
/// - strings in single quotes (`{'score': 4}`) and raw line breaks inside strings;
/// - keys without quotes (`{score: 4}`);
/// - trailing commas (`{"a": 1,}`, `[1, 2,]`);
/// - `True`, `False`, `None` (Python's spelling) and a leading `+` on numbers;
/// - `//` and `/* */` comments.
/// Anything else that is not JSON makes that attempt fail, and the scan moves on. Nesting deeper
/// than 64 levels fails. The reader never throws and never traps, whatever the input.
public enum JSONExtractor {
    /// Every object or array found in `reply`, in order of appearance (outermost values only).
    public static func values(in reply: String) -> [JSONValue] {
        let bytes = Array(reply.utf8)
        var out: [JSONValue] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                var reader = LenientJSONReader(bytes: bytes, position: i)
                if let value = reader.readValue(depth: 0) {
                    out.append(value)
                    i = reader.position
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// Every object found in `reply`, in order (outermost values only; an object inside a top-level
    /// array counts as found).
    public static func objects(in reply: String) -> [[String: JSONValue]] {
        values(in: reply).flatMap { value -> [[String: JSONValue]] in
            switch value {
            case .object(let o): return [o]
            case .array(let a): return a.compactMap(\.objectValue)
            default: return []
            }
        }
    }

    /// The first object found in `reply`, if any.
    public static func firstObject(in reply: String) -> [String: JSONValue]? {
        objects(in: reply).first
    }

    /// The reply's JSON value when the reply is nothing else: one value, with only whitespace around
    /// it, optionally in one code fence (three backticks, `json` or not). Nil for JSON inside prose.
    public static func onlyValue(in reply: String) -> JSONValue? {
        var text = reply.trimmingSpaces
        if text.hasPrefix("```") {
            guard let firstLineEnd = text.firstIndex(of: "\n"), text.hasSuffix("```"), text.count >= 6 else { return nil }
            text = String(text[text.index(after: firstLineEnd)...].dropLast(3))
        }
        return parse(text)
    }

    /// `text` read as one lenient JSON value (any kind, surrounding whitespace allowed), or nil.
    public static func parse(_ text: String) -> JSONValue? {
        var reader = LenientJSONReader(bytes: Array(text.utf8), position: 0)
        reader.skipSpace()
        guard let value = reader.readValue(depth: 0) else { return nil }
        reader.skipSpace()
        // Not `cond ? value : nil`: JSONValue is nil-expressible, so that nil would be `.null`.
        guard reader.position == reader.bytes.count else { return nil }
        return value
    }
}

/// A recursive-descent reader over UTF-8 bytes. Every method returns nil on failure and leaves
/// `position` wherever it stopped.
struct LenientJSONReader {
    let bytes: [UInt8]
    var position: Int
    static let maxDepth = 64

    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                position += 1
            } else if b == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "/") {
                while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            } else if b == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "*") {
                position += 2
                while position + 1 < bytes.count,
                    !(bytes[position] == UInt8(ascii: "*") && bytes[position + 1] == UInt8(ascii: "/"))
                {
                    position += 1
                }
                position = min(bytes.count, position + 2)
            } else {
                return
            }
        }
    }

    mutating func readValue(depth: Int) -> JSONValue? {
        guard depth <= Self.maxDepth else { return nil }
        skipSpace()
        guard let b = current else { return nil }
        switch b {
        case UInt8(ascii: "{"): return readObject(depth: depth)
        case UInt8(ascii: "["): return readArray(depth: depth)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return readString().map(JSONValue.string)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return readNumber()
        default:
            guard let word = readIdentifier() else { return nil }
            switch word {
            case "true", "True": return .bool(true)
            case "false", "False": return .bool(false)
            case "null", "None": return .null
            default: return nil
            }
        }
    }

    private mutating func readObject(depth: Int) -> JSONValue? {
        position += 1  // {
        var object: [String: JSONValue] = [:]
        while true {
            skipSpace()
            guard let b = current else { return nil }
            if b == UInt8(ascii: "}") {
                position += 1
                return .object(object)
            }
            let key: String
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                guard let k = readString() else { return nil }
                key = k
            } else {
                guard let k = readIdentifier() else { return nil }
                key = k
            }
            skipSpace()
            guard current == UInt8(ascii: ":") else { return nil }
            position += 1
            guard let value = readValue(depth: depth + 1) else { return nil }
            object[key] = value
            skipSpace()
            if current == UInt8(ascii: ",") {
                position += 1
            } else if current != UInt8(ascii: "}") {
                return nil
            }
        }
    }

    private mutating func readArray(depth: Int) -> JSONValue? {
        position += 1  // [
        var array: [JSONValue] = []
        while true {
            skipSpace()
            guard let b = current else { return nil }
            if b == UInt8(ascii: "]") {
                position += 1
                return .array(array)
            }
            guard let value = readValue(depth: depth + 1) else { return nil }
            array.append(value)
            skipSpace()
            if current == UInt8(ascii: ",") {
                position += 1
            } else if current != UInt8(ascii: "]") {
                return nil
            }
        }
    }

    /// Letters, digits and `_` (a bare key or a literal); nil when there are none.
    private mutating func readIdentifier() -> String? {
        let start = position
        while let b = current, isIdentifierByte(b) { position += 1 }
        guard position > start else { return nil }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    private mutating func readNumber() -> JSONValue? {
        let start = position
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { position += 1 }
        let digitsStart = position
        while let b = current, isDigit(b) { position += 1 }
        guard position > digitsStart else { return nil }
        if current == UInt8(ascii: "."), position + 1 < bytes.count, isDigit(bytes[position + 1]) {
            position += 1
            while let b = current, isDigit(b) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            var p = position + 1
            if p < bytes.count, bytes[p] == UInt8(ascii: "-") || bytes[p] == UInt8(ascii: "+") { p += 1 }
            if p < bytes.count, isDigit(bytes[p]) {
                position = p
                while let b = current, isDigit(b) { position += 1 }
            }
        }
        var text = String(decoding: bytes[start..<position], as: UTF8.self)
        if text.hasPrefix("+") { text.removeFirst() }
        guard let value = Double(text) else { return nil }
        return .number(value)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func readString() -> String? {
        guard let quote = current else { return nil }
        position += 1
        var out: [UInt8] = []
        while let b = current {
            position += 1
            if b == quote { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            guard let e = current else { return nil }
            position += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let unit = readHex4() else { return nil }
                var scalar = Unicode.Scalar(unit)
                if scalar == nil, (0xD800..<0xDC00).contains(unit), current == UInt8(ascii: "\\"),
                    position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u")
                {
                    let save = position
                    position += 2
                    if let low = readHex4(), (0xDC00..<0xE000).contains(low) {
                        scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        position = save
                    }
                }
                out.append(contentsOf: Array(String(Character(scalar ?? "\u{FFFD}")).utf8))
            default: out.append(e)  // \" \' \\ \/ and anything else: the character itself
            }
        }
        return nil
    }

    private mutating func readHex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let b = bytes[position + k]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        position += 4
        return v
    }
}
