import Foundation

/// A coding key for any name: lets a configuration type see every key of its mapping, so an unknown
/// key is an error instead of being ignored.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A configuration value that breaks a rule (out of range, unknown name, a combination that cannot
/// run), with the dotted path of the field at fault (`judge.window`). Profile loading turns the path
/// into a file and line; the CLI into a flag.
struct ConfigurationFault: Error {
    var path: [String]
    var message: String

    var field: String { path.joined(separator: ".") }
}

extension KeyedDecodingContainer where K == AnyCodingKey {
    /// Throws when the mapping has a key outside `known`: the message lists the known ones.
    func rejectUnknownKeys(_ known: [String]) throws {
        for key in allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "unknown field '\(key.stringValue)' (known: \(known.joined(separator: ", ")))"))
        }
    }

    /// The value under `key`, or nil when the key is absent or null.
    func optional<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
        try decodeIfPresent(type, forKey: AnyCodingKey(key))
    }

    /// A string under `key` that must name one of `T`'s cases; nil when absent.
    func name<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ key: String) throws -> T? where T.RawValue == String {
        guard let raw = try optional(String.self, key) else { return nil }
        guard let value = T(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [AnyCodingKey(key)],
                debugDescription: "'\(raw)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return value
    }
}

extension KeyedEncodingContainer where K == AnyCodingKey {
    /// Encodes `value` under `key` unless it is nil (profiles leave unset fields out). A whole
    /// `Double` is written as an integer (`timeout: 60`, not Yams' `6e+1`); it reads back the same.
    mutating func put<T: Encodable>(_ value: T?, _ key: String) throws {
        if let whole = value as? Double, whole.rounded() == whole, abs(whole) < 1e15 {
            try encode(Int(whole), forKey: AnyCodingKey(key))
        } else if let value {
            try encode(value, forKey: AnyCodingKey(key))
        }
    }
}

/// Checks shared by the configuration types' `validate()`.
enum ConfigurationCheck {
    static func atLeast(_ value: Int?, _ minimum: Int, _ path: [String]) throws {
        if let value, value < minimum { throw ConfigurationFault(path: path, message: "must be at least \(minimum), got \(value)") }
    }

    static func inRange(_ value: Int?, _ range: ClosedRange<Int>, _ path: [String]) throws {
        if let value, !range.contains(value) {
            throw ConfigurationFault(path: path, message: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    static func positiveFinite(_ value: Double?, _ path: [String]) throws {
        if let value, !(value.isFinite && value > 0) {
            throw ConfigurationFault(path: path, message: "must be a positive finite number, got \(value)")
        }
    }

    static func finite(_ value: Double?, _ range: ClosedRange<Double>, _ path: [String]) throws {
        if let value, !(value.isFinite && range.contains(value)) {
            throw ConfigurationFault(path: path, message: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }
}
