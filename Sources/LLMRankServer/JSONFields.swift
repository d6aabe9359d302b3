import LLMRank

/// Typed reads of a request's JSON object that name the field at fault: every failure is a 422
/// whose message starts with the field's path (`top_n: expected an integer, got "3"`).
struct JSONFields {
    let object: [String: JSONValue]
    /// The path of this object in the body ("" at the top, "query" for a nested one).
    let path: String

    /// The top-level object of a body; anything else (an array, a string) is a 422.
    init(body: JSONValue) throws(APIError) {
        guard case .object(let object) = body else {
            throw APIError(422, "validation", "body: expected a JSON object, got \(Self.kind(body))", field: "body")
        }
        self.init(object, path: "")
    }

    init(_ object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    /// The path of `key` under this object.
    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let s) = value else { throw APIError.invalid(name(key), "expected a string, got \(Self.kind(value))") }
        return s
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case .bool(let b) = value else { throw APIError.invalid(name(key), "expected true or false, got \(Self.kind(value))") }
        return b
    }

    /// A whole number in `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let n) = value, n.rounded() == n, n.magnitude < 1e15 else {
            throw APIError.invalid(name(key), "expected an integer, got \(Self.kind(value))")
        }
        guard range.contains(Int(n)) else {
            throw APIError.invalid(name(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(Int(n))")
        }
        return Int(n)
    }

    func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .array(let a) = value else { throw APIError.invalid(name(key), "expected an array, got \(Self.kind(value))") }
        return a
    }

    /// A required field: absent is a 422 naming it.
    func required<T>(_ key: String, _ read: (String) throws(APIError) -> T?) throws(APIError) -> T {
        guard let value = try read(key) else { throw APIError.invalid(name(key), "required") }
        return value
    }

    /// What a value is, for messages: `a string`, `a number (2.5)`, `an object`.
    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): n.rounded() == n && n.magnitude < 1e15 ? "the number \(Int(n))" : "the number \(n)"
        case .string(let s): "a string (\"\(s.prefix(20))\(s.count > 20 ? "..." : "")\")"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
