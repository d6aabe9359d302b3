#!/usr/bin/env python3
"""Writes fixtures/encoder/tokenizer-cases.json: a few hundred tricky strings and the token ids
Hugging Face's BERT tokenizer (transformers 5's BertTokenizer, the Rust `tokenizers` one that
AutoTokenizer and sentence-transformers load)
gives them with the all-MiniLM-L6-v2 vocabulary, under three settings (uncased, uncased keeping
accents, cased), plus pair encodings truncated longest_first.

Run from the repository root with a Python that has transformers:
    python scripts/reference/tokenizer_fixture.py ~/.cache/llmrank/models/all-MiniLM-L6-v2
"""
import json
import random
import sys
from pathlib import Path

from transformers import AutoTokenizer, BertTokenizer


def strings():
    base = [
        "", " ", "   \t\n  ", "hello", "Hello, World!", "HELLO WORLD", "don't stop", "U.S.A.",
        "e-mail: someone@example.com", "https://example.com/a/b?c=d&e=f#g", "C++ and C# and F#",
        "3.14159 is pi; 2,000,000 people", "1st 2nd 3rd 4th", "$100 €200 £300 ¥400", "50% off!!!",
        "...!?!?...", "---", "((nested (parens)))", "[CLS] [SEP] [MASK] [UNK] [PAD]", "[cls]",
        "naïve café résumé", "Crème brûlée", "Ångström", "über straße", "ÆØÅ æøå", "Œuvre",
        "İstanbul ıi", "ΣΊΣΥΦΟΣ σίσυφος", "Ελληνικά", "Русский язык", "Україна", "עברית", "العربية",
        "हिन्दी भाषा", "ไทย", "한국어 텍스트", "日本語のテキスト", "カタカナ ひらがな", "中文文本测试",
        "混合text和中文", "漢字かな交じり文", "𠀀𠀁 (CJK extension B)", "\u3000ideographic\u3000space",
        "emoji 😀😃😄 end", "🥰🥳🥺", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🇺🇸🇫🇷 flags", "♥ ★ ☆ ✓ ✗",
        "math: ∑ ∫ √ ∞ ≠ ≤ ≥", "arrows → ← ↑ ↓", "°C and °F", "x² + y³ = z⁴", "½ ¼ ¾", "ﬁ ligature ﬂ",
        "full-width ＡＢＣ１２３", "a\u00a0b", "zero\u200bwidth", "soft\u00adhyphen", "bidi\u200emark\u200f",
        "bom\ufeffhere", "nul\x00char", "bell\x07char", "del\x7fchar", "tab\tnew\nline\rret",
        "line\u2028sep\u2029para", "nel\u0085char", "replacement\ufffdchar", "private\ue000use",
        "combining e\u0301 a\u0300 o\u0308", "decomposed Cafe\u0301", "Zalgo z\u0351\u0327a\u0300l\u0350g\u0301o",
        "antidisestablishmentarianism", "supercalifragilisticexpialidocious",
        "pneumonoultramicroscopicsilicovolcanoconiosis", "a" * 99, "b" * 100, "c" * 101, "x" * 250,
        "word" + "-" * 50 + "word", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
        "CamelCaseIdentifier snake_case_name kebab-case-name", "MiXeD CaSe WoRdS", "ALLCAPS",
        "tokenization's", "rock'n'roll", "«quotes» “curly” ‘single’ „low“", "em—dash en–dash",
        "ellipsis… bullet • middle·dot", "§ ¶ † ‡", "©®™", "<html><body>tags</body></html>",
        "{\"json\": [1, 2, 3]}", "path/to/file.txt", "C:\\Windows\\System32", "user_name@host:~$ ls -la",
        "what is the capital of france", "how long to boil an egg", "do goldfish grow",
        "The quick brown fox jumps over the lazy dog.", "Ça va? Très bien, merci.",
        "¿Dónde está la biblioteca?", "¡Olé!", "Ñandú", "Dvořák Smetana Janáček", "Łódź Kraków",
        "Tiếng Việt có dấu", "Ολυμπιακοί Αγώνες", "ǅ ǈ ǋ titlecase", "ß ẞ", "ﬀ ﬃ", "Ⅻ roman ⅻ",
        "① ② ③", "𝐛𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐", "ｶﾀｶﾅ halfwidth", "\U0001f600" * 5, "a\u0301" * 10,
        "don’t won’t can’t", "9/11 24/7 1/2", "#hashtag @mention", "~tilde^caret`backtick|pipe",
        "multiple     spaces    here", "trailing space ", " leading space", "\n\nnewlines\n\n",
    ]
    rng = random.Random(4)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        " .,;:!?'\"()[]{}-_/\\@#$%^&*+=<>|~`",
        "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÉÎÕÜßøæœ",
        "中文日本語한국어テスト漢字",
        "😀🥰👍🏽🇫🇷★♥→∑",
        "\u0301\u0308\u200b\u00ad\u2028\t\n\u00a0\u3000",
        "αβγδεζηθΣσςабвгдежЖ",
    ]
    for _ in range(200):
        n = rng.randint(1, 40)
        chars = []
        for _ in range(n):
            pool = pools[rng.choices(range(len(pools)), weights=[10, 4, 3, 2, 1, 1, 2])[0]]
            chars.append(rng.choice(pool))
        base.append("".join(chars))
    return base


def main():
    model = Path(sys.argv[1] if len(sys.argv) > 1 else Path.home() / ".cache/llmrank/models/all-MiniLM-L6-v2")
    vocab = str(model / "vocab.txt")
    settings = {
        "uncased": dict(do_lower_case=True),
        "uncased-keep-accents": dict(do_lower_case=True, strip_accents=False),
        "cased": dict(do_lower_case=False),
    }
    texts = strings()
    out = {"generator": "scripts/reference/tokenizer_fixture.py", "vocab": "all-MiniLM-L6-v2/vocab.txt",
           "settings": {}, "cases": [], "pairs": []}
    tokenizers = {}
    for name, kwargs in settings.items():
        fast = BertTokenizer(vocab=vocab, **kwargs)
        tokenizers[name] = fast
        out["settings"][name] = {"lowercase": kwargs["do_lower_case"], "strip_accents": kwargs.get("strip_accents")}
    # The model folder's own tokenizer must agree with the uncased setting built here.
    auto = AutoTokenizer.from_pretrained(str(model))
    differ = 0
    for text in texts:
        case = {"text": text}
        for name, fast in tokenizers.items():
            case[name] = fast(text, add_special_tokens=False)["input_ids"]
        if auto(text, add_special_tokens=False)["input_ids"] != case["uncased"]:
            differ += 1
        out["cases"].append(case)
    fast = tokenizers["uncased"]
    rng = random.Random(7)
    words = "the of relevance passage query ranking model bert encoder token search result document".split()
    for _ in range(40):
        q = " ".join(rng.choice(words) for _ in range(rng.randint(0, 30)))
        d = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        max_length = rng.choice([8, 12, 16, 24, 32, 64])
        enc = fast([q], [d], truncation="longest_first", max_length=max_length)
        out["pairs"].append({"query": q, "document": d, "max_length": max_length,
                             "input_ids": enc["input_ids"][0], "token_type_ids": enc["token_type_ids"][0]})
    dest = Path("fixtures/encoder/tokenizer-cases.json")
    dest.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n")
    print(f"{dest}: {len(texts)} strings ({differ} where AutoTokenizer differs), {len(out['pairs'])} pairs")


if __name__ == "__main__":
    main()
