import Foundation

/// Hugging Face's BERT tokenizer, as its fast (Rust `tokenizers`) implementation runs it, which is
/// the one `AutoTokenizer` and sentence-transformers load:
/// 1. `BertNormalizer`: drop NUL, U+FFFD and control characters (category C*, except tab, newline,
///    carriage return), map whitespace to a space, put spaces around CJK ideographs, strip accents
///    (NFD, then drop nonspacing marks) when configured, lower-case;
/// 2. `BertPreTokenizer`: split on whitespace and isolate each punctuation character;
/// 3. `WordPiece`: greedy longest match from the start of each word, `##` on continuations; a word
///    that cannot be covered, or has more than 100 characters, becomes `[UNK]`.
struct WordPieceTokenizer: Sendable {
    let settings: TokenizerSettings
    private let ids: [String: Int32]
    let unk: Int32
    let cls: Int32
    let sep: Int32
    let pad: Int32
    /// Special tokens matched whole in the raw text.
    private let specials: [(String, Int32)]
    static let maxCharsPerWord = 100

    init(vocab: [String], settings: TokenizerSettings) throws {
        self.settings = settings
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(vocab.count)
        // A word listed twice takes its last id, as Hugging Face's vocabulary loading does.
        for (i, word) in vocab.enumerated() { ids[word] = Int32(i) }
        self.ids = ids
        func special(_ token: String) throws -> Int32 {
            guard let id = ids[token] else {
                throw LLMRankError(.invalidModel, "vocab: missing the special token \(token)")
            }
            return id
        }
        unk = try special("[UNK]")
        cls = try special("[CLS]")
        sep = try special("[SEP]")
        pad = try special("[PAD]")
        specials = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"].compactMap { token in ids[token].map { (token, $0) } }
    }

    /// Token ids of `text`, without added special tokens. Special tokens written in the text
    /// (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`, exactly so) are matched before normalization and
    /// kept whole, as Hugging Face does.
    func encode(_ text: String) -> [Int32] {
        var out: [Int32] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            var matched: (String, Int32)?
            for (token, id) in specials where rest[open...].hasPrefix(token) {
                matched = (token, id)
                break
            }
            guard let (token, id) = matched else {
                // Not a special token: everything up to and including this bracket is plain text.
                let after = rest.index(after: open)
                let next = rest[after...].firstIndex(of: "[") ?? rest.endIndex
                encodePlain(rest[..<next], into: &out)
                rest = rest[next...]
                continue
            }
            encodePlain(rest[..<open], into: &out)
            out.append(id)
            rest = rest[rest.index(open, offsetBy: token.count)...]
        }
        encodePlain(rest, into: &out)
        return out
    }

    private func encodePlain(_ text: Substring, into out: inout [Int32]) {
        if text.isEmpty { return }
        for word in preTokenize(normalize(String(text))) { wordPiece(word, into: &out) }
    }

    /// The words (after normalization and pre-tokenization) of `text`, as strings; for tests.
    func words(_ text: String) -> [String] {
        preTokenize(normalize(text)).map { String(String.UnicodeScalarView($0)) }
    }

    // MARK: Normalization

    func normalize(_ text: String) -> [Unicode.Scalar] {
        var cleaned: [Unicode.Scalar] = []
        cleaned.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            let v = s.value
            if v == 0 || v == 0xFFFD || Self.isControl(s) { continue }
            if Self.isWhitespace(s) {
                cleaned.append(" ")
            } else if settings.tokenizeChineseChars && Self.isCJK(v) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        let strip = settings.stripAccents ?? settings.lowercase
        if strip && !cleaned.allSatisfy(\.isASCII) {
            let decomposed = String(String.UnicodeScalarView(cleaned)).decomposedStringWithCanonicalMapping
            cleaned = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if settings.lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(cleaned.count)
            for s in cleaned {
                if s.isASCII {
                    lowered.append(s.value >= 65 && s.value <= 90 ? Unicode.Scalar(s.value + 32)! : s)
                } else {
                    // Full per-character mapping (İ -> i + U+0307), no context rules: Rust's char::to_lowercase.
                    lowered.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
                }
            }
            cleaned = lowered
        }
        return cleaned
    }

    // MARK: Pre-tokenization

    func preTokenize(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = -1
        for (i, s) in scalars.enumerated() {
            if s.properties.isWhitespace {
                if start >= 0 { words.append(scalars[start..<i]); start = -1 }
            } else if Self.isPunctuation(s) {
                if start >= 0 { words.append(scalars[start..<i]); start = -1 }
                words.append(scalars[i..<(i + 1)])
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { words.append(scalars[start..<scalars.count]) }
        return words
    }

    // MARK: WordPiece

    func wordPiece(_ word: ArraySlice<Unicode.Scalar>, into out: inout [Int32]) {
        if word.count > Self.maxCharsPerWord {
            out.append(unk)
            return
        }
        let chars = Array(word)
        var pieces: [Int32] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var found: Int32?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: chars[start..<end])
                if let id = ids[piece] { found = id; break }
                end -= 1
            }
            guard let id = found else {
                out.append(unk)
                return
            }
            pieces.append(id)
            start = end
        }
        out.append(contentsOf: pieces)
    }

    // MARK: Character classes (as Hugging Face defines them)

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT isolates (not Hangul, Hiragana or Katakana).
    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}

/// One model input: token ids and token type ids, with special tokens.
struct EncodedInput: Sendable {
    var ids: [Int32]
    var types: [Int32]
    /// True when tokens of the query or the document were cut to fit.
    var truncated: Bool
}

extension WordPieceTokenizer {
    /// `[CLS] a [SEP]`, truncated to `maxLength`.
    func single(_ a: [Int32], maxLength: Int) -> EncodedInput {
        let keep = min(a.count, max(0, maxLength - 2))
        let ids = [cls] + a[0..<keep] + [sep]
        return EncodedInput(ids: ids, types: [Int32](repeating: 0, count: ids.count), truncated: keep < a.count)
    }

    /// `[CLS] a [SEP] b [SEP]` with token types 0 then 1, truncated `longest_first` to `maxLength`
    /// as Hugging Face's `tokenizers` does it: when both must be cut, the shorter side keeps half the
    /// budget (rounded down) and the longer the rest; the first side counts as the shorter on a tie.
    func pair(_ a: [Int32], _ b: [Int32], maxLength: Int) -> EncodedInput {
        var na = a.count, nb = b.count
        let target = max(0, maxLength - 3)
        if na + nb > target {
            let swap = na > nb
            var n1 = min(na, nb), n2 = max(na, nb)
            n2 = n1 > target ? n1 : max(n1, target - n1)
            if n1 + n2 > target {
                n1 = target / 2
                n2 = n1 + target % 2
            }
            (na, nb) = swap ? (n2, n1) : (n1, n2)
        }
        var ids = [cls]
        ids.reserveCapacity(na + nb + 3)
        ids.append(contentsOf: a[0..<na])
        ids.append(sep)
        let firstCount = ids.count
        ids.append(contentsOf: b[0..<nb])
        ids.append(sep)
        var types = [Int32](repeating: 0, count: ids.count)
        for i in firstCount..<ids.count { types[i] = 1 }
        return EncodedInput(ids: ids, types: types, truncated: na < a.count || nb < b.count)
    }
}
