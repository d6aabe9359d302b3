#!/usr/bin/env python3
"""sentence-transformers' side of the encoder benchmark: scores the TREC DL19 BM25 top-100 pairs
with all-MiniLM-L6-v2 (PyTorch on the CPU, 2 threads by default), the way the bi-encoder reranks:
encode the query and the query's 100 passages (batch 32), cosine. Prints one JSON line: pairs/s,
NDCG@10 (trec_eval semantics), peak resident memory. bench/encoder/run prints it beside llmrank's.

    python bench/encoder/reference.py [--model DIR] [--data DIR] [--threads N] [--queries N]
"""
import argparse
import json
import math
import os
import resource
import time
from pathlib import Path


def ndcg10(ranked, judgments):
    def dcg(gains):
        return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:10]))
    ideal = dcg(sorted((g for g in judgments.values() if g > 0), reverse=True))
    return dcg([max(0, judgments.get(d, 0)) for d in ranked]) / ideal if ideal > 0 else 0.0


def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    home = os.environ.get("LLMRANK_HOME", str(Path.home() / ".cache/llmrank"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=f"{home}/models/all-MiniLM-L6-v2")
    ap.add_argument("--data", default="../shared/data/trec-dl19")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--queries", type=int, default=10**9)
    args = ap.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(args.threads)
    model = SentenceTransformer(args.model, device="cpu")
    run = json.loads(Path(args.data, "bm25-top100.json").read_text())[: args.queries]
    qrels = {q: {d: int(g) for d, g in docs.items()} for q, docs in json.loads(Path(args.data, "qrels.json").read_text()).items()}

    def score(query, texts):
        with torch.inference_mode():
            q = model.encode([query], batch_size=args.batch, normalize_embeddings=True, convert_to_tensor=True)
            d = model.encode(texts, batch_size=args.batch, normalize_embeddings=True, convert_to_tensor=True)
        return (d @ q[0]).tolist()

    score(run[0]["query"], [h["content"] for h in run[0]["hits"][:8]])  # warm-up, not timed
    total = 0.0
    cpu_start = time.process_time()
    pairs = 0
    ndcg = 0.0
    for entry in run:
        hits = entry["hits"]
        start = time.perf_counter()
        scores = score(entry["query"], [h["content"] for h in hits])
        total += time.perf_counter() - start
        pairs += len(hits)
        order = sorted(range(len(hits)), key=lambda i: -scores[i])
        qid = str(hits[0]["qid"])
        ndcg += ndcg10([str(hits[i]["docid"]) for i in order], qrels.get(qid, {}))
    cpu = time.process_time() - cpu_start
    print(json.dumps({"cpu_seconds": cpu, "pairs_per_cpu_s": pairs / cpu, "engine": "sentence-transformers", "model": Path(args.model).name, "precision": "float32",
                      "threads": args.threads, "batch": args.batch, "queries": len(run), "pairs": pairs,
                      "seconds": total, "pairs_per_s": pairs / total, "ndcg10": ndcg / len(run),
                      "peak_mb": peak_mb(), "torch": torch.__version__}, sort_keys=True))


if __name__ == "__main__":
    main()
