// Small text helpers the parsers share: trimming and loose comparison of names and keys.

extension String {
    /// The string without leading and trailing whitespace.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// Letter words of a name, lowercased: "Direct_answer" and "direct answer" give ["direct", "answer"].
func letterWords(_ name: String) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    for c in name.unicodeScalars {
        if c.properties.isAlphabetic {
            current.append(c)
        } else if !current.isEmpty {
            words.append(String(current).lowercased())
            current = String.UnicodeScalarView()
        }
    }
    if !current.isEmpty { words.append(String(current).lowercased()) }
    return words
}

/// A key compared loosely: lowercased letters and digits only ("Direct Answer" == "direct_answer").
func normalizedKey(_ key: String) -> String {
    String(String.UnicodeScalarView(key.lowercased().unicodeScalars.filter {
        $0.properties.isAlphabetic || ($0.value >= 48 && $0.value <= 57)
    }))
}
