#!/usr/bin/env python3
"""Writes fixtures/encoder/minilm-embeddings.json: sentence-transformers' all-MiniLM-L6-v2
embeddings (normalized) of made-up texts, short to over the model's 256-token limit.

Run from the repository root after scripts/fetch-models:
    HF_HUB_OFFLINE=1 python scripts/reference/minilm_fixture.py ~/.cache/llmrank/models/all-MiniLM-L6-v2
"""
import json
import sys
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer

TEXTS = [
    "what is the boiling point of water at high altitude",
    "Water boils at a lower temperature on mountains because the air pressure is lower.",
    "how do neural rerankers work",
    "A cross-encoder reads the query and the passage together and outputs one relevance score.",
    "best pizza in naples",
    "The Treaty of Westphalia ended the Thirty Years' War in 1648.",
    "Crème brûlée, café au lait and a naïve résumé.",
    "東京は日本の首都です。",
    "emoji test 😀👍🏽 and symbols ∑ → ★",
    "",
    "a",
    "URL https://example.com/path?query=1 and e-mail person@example.org",
    "Numbers: 3.14159, 2,718, 1/2, 50%, $100.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "The mitochondria is the powerhouse of the cell, producing ATP through respiration.",
    "Is the stock market open on public holidays?",
    "Goldfish keep growing as long as they live, limited by their tank and water quality.",
    "How long should you boil an egg for a soft yolk? About six minutes in boiling water.",
    " ".join(["relevance"] * 300),
    " ".join(f"word{i} is followed by another sentence number {i}." for i in range(60)),
]


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else str(Path.home() / ".cache/llmrank/models/all-MiniLM-L6-v2")
    torch.set_num_threads(2)
    model = SentenceTransformer(model_dir, device="cpu")
    emb = model.encode(TEXTS, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    out = {"generator": "scripts/reference/minilm_fixture.py", "model": "all-MiniLM-L6-v2",
           "max_seq_length": model.max_seq_length,
           "cases": [{"text": t, "embedding": [round(float(x), 7) for x in e]} for t, e in zip(TEXTS, emb)]}
    dest = Path("fixtures/encoder/minilm-embeddings.json")
    dest.write_text(json.dumps(out, ensure_ascii=False) + "\n")
    print(dest, len(TEXTS), "texts")


if __name__ == "__main__":
    main()
