#!/usr/bin/env python3
"""Writes tiny randomly initialized BERT checkpoints and PyTorch's outputs for them, as fixtures for
the Swift encoder (fixtures/encoder/):

  tiny-cross-1   BertForSequenceClassification, 1 label, F32 weights
  tiny-cross-2   BertForSequenceClassification, 2 labels, F16 weights (reference run in F32 on the
                 F16-rounded weights, so the loader's F16 conversion is checked)
  tiny-bi        sentence-transformers layout (BertModel + modules.json + 1_Pooling, mean pooling),
                 BF16 weights
  tiny-outputs.json   logits (cross) and embeddings (bi) for fixture pairs and texts

The vocabulary is made up here (letters, word pieces, a few words), so nothing is copied.
Run from the repository root:  python scripts/reference/tiny_models.py
"""
import json
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizer

OUT = Path("fixtures/encoder")
WORDS = ("the a of to and in is for on with as by what how why when where who query document "
         "passage search rank ranking relevant relevance model encoder token bert score water boil "
         "egg long time fish grow capital city france paris river deep learning neural network").split()


def make_vocab():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list("abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"()-/")
    vocab += ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab += ["##ing", "##ed", "##s", "##er", "##ly", "##tion", "re", "un", "##re"]
    vocab += [w for w in WORDS if w not in vocab]
    return vocab


def config(vocab, labels):
    return BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=64, max_position_embeddings=64, type_vocab_size=2,
                      hidden_act="gelu", layer_norm_eps=1e-12, num_labels=labels,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


def randomize(model, seed):
    # Larger than BERT's default init (0.02) so the outputs are far from trivial.
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name and name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))


def write_folder(folder, model, vocab, dtype, extra=None):
    folder.mkdir(parents=True, exist_ok=True)
    model.config.to_json_file(folder / "config.json")
    state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()
             if not k.endswith("position_ids")}
    save_file(state, folder / "model.safetensors", metadata={"format": "pt"})
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"do_lower_case": True, "tokenize_chinese_chars": True, "strip_accents": None,
         "model_max_length": 64, "tokenizer_class": "BertTokenizer"}, indent=1) + "\n")
    for name, text in (extra or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    # The model as stored: weights rounded to the file's dtype, computed in F32.
    with torch.no_grad():
        for k, v in model.state_dict().items():
            if not k.endswith("position_ids"):
                v.copy_(v.to(dtype).to(torch.float32))


def main():
    torch.manual_seed(0)
    vocab = make_vocab()
    pairs = [
        ("how long to boil an egg", "boil the egg for a long time in water"),
        ("capital of france", "paris is the capital city of france"),
        ("capital of france", "deep learning with a neural network"),
        ("do fish grow", "fish grow when the water is deep"),
        ("", "an empty query"),
        ("what is bert", ""),
        ("UPPER Case Query?", "Mixed-case DOCUMENT, with punctuation!!!"),
        ("unknown zzzqqq words", "xylophone quokka 12345 ?!"),
        ("relevance ranking", " ".join(["passage"] * 80)),
        (" ".join(["query"] * 40), " ".join(["document"] * 40)),
        ("ranking model", "re ranking un relevant encoder token score ranked scored"),
        ("café naïve", "résumé über"),
    ]
    results = {"generator": "scripts/reference/tiny_models.py", "max_length": 64, "pairs": [], "texts": []}
    for name, labels, dtype, seed in (("tiny-cross-1", 1, torch.float32, 1), ("tiny-cross-2", 2, torch.float16, 2)):
        model = BertForSequenceClassification(config(vocab, labels)).eval()
        model.config.architectures = ["BertForSequenceClassification"]
        randomize(model, seed)
        write_folder(OUT / name, model, vocab, dtype)
        tok = BertTokenizer(vocab=str(OUT / name / "vocab.txt"), do_lower_case=True)
        for q, d in pairs:
            # Lists, as sentence-transformers' CrossEncoder calls it (an empty text stays a segment).
            enc = tok([q], [d], truncation="longest_first", max_length=64, return_tensors="pt")
            with torch.no_grad():
                logits = model(**enc).logits[0].tolist()
            results["pairs"].append({"model": name, "query": q, "document": d, "logits": logits,
                                     "input_ids": enc["input_ids"][0].tolist()})

    bi = BertModel(config(vocab, 1), add_pooling_layer=False).eval()
    bi.config.architectures = ["BertModel"]
    randomize(bi, 3)
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
               {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
    pooling = {"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}
    write_folder(OUT / "tiny-bi", bi, vocab, torch.bfloat16, extra={
        "modules.json": json.dumps(modules, indent=1) + "\n",
        "1_Pooling/config.json": json.dumps(pooling, indent=1) + "\n",
        "sentence_bert_config.json": json.dumps({"max_seq_length": 48, "do_lower_case": False}) + "\n",
    })
    tok = BertTokenizer(vocab=str(OUT / "tiny-bi" / "vocab.txt"), do_lower_case=True)
    texts = sorted({t for pair in pairs for t in pair})
    for text in texts:
        enc = tok(text, truncation=True, max_length=48, return_tensors="pt")
        with torch.no_grad():
            states = bi(**enc).last_hidden_state[0]
        mean = states.mean(dim=0)
        emb = (mean / mean.norm().clamp_min(1e-12)).tolist()
        results["texts"].append({"model": "tiny-bi", "text": text, "embedding": emb,
                                 "input_ids": enc["input_ids"][0].tolist()})
    (OUT / "tiny-outputs.json").write_text(json.dumps(results, ensure_ascii=False, indent=0) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
