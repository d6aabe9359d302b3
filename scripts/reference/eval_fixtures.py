#!/usr/bin/env python3
"""Expected IR metric values for llmrank's Eval tests, computed with pytrec_eval (trec_eval's C code).

Writes fixtures/eval/synthetic.json (small hand-made and seeded random cases), and, from the shared
data beside the clone (../shared/data, never copied into the repo), fixtures/eval/dl19-bm25.json
and fixtures/eval/noveleval-input.json (the run's input order, per query and mean).

Every run given to pytrec_eval has strictly decreasing scores, so its sort by score equals the list
order llmrank evaluates; the "ties" case alone has tied scores, to pin down trec_eval's tie order
(score descending, then docid descending) that llmrank's TREC run reader reproduces.

mrr@k has no trec_eval measure: it is pytrec_eval's recip_rank over the run cut to k. hit@k is
trec_eval's success.k. Both are also checked here against their definitions.

Usage (from the package root, in a venv outside the repo):
    python3 -m venv /tmp/venv-eval && /tmp/venv-eval/bin/pip install pytrec-eval-terrier==0.5.11
    /tmp/venv-eval/bin/python scripts/reference/eval_fixtures.py [--data ../shared/data]
"""
import argparse
import json
import math
import os
import random
import sys
from importlib.metadata import version

import pytrec_eval

METRICS = ["ndcg@1", "ndcg@3", "ndcg@5", "ndcg@10", "ndcg@20", "ndcg", "mrr@1", "mrr@3", "mrr@10", "mrr",
           "map", "map@5", "map@10", "p@1", "p@5", "p@10", "recall@5", "recall@10", "recall@100",
           "hit@1", "hit@5", "hit@10"]
DATA_METRICS = ["ndcg@1", "ndcg@5", "ndcg@10", "ndcg@20", "mrr@10", "mrr", "map", "map@10", "p@5", "p@10",
                "recall@20", "recall@100", "hit@1", "hit@10"]


def trec_name(m):
    """The pytrec_eval measure for a metric, or None for mrr@k."""
    base, _, k = m.partition("@")
    return {
        "ndcg": f"ndcg_cut_{k}" if k else "ndcg",
        "mrr": None if k else "recip_rank",
        "map": f"map_cut_{k}" if k else "map",
        "p": f"P_{k}",
        "recall": f"recall_{k}",
        "hit": f"success_{k}",
    }[base]


def measure_spec(metrics):
    """pytrec_eval's measure set: base.k1,k2 for cut measures."""
    cuts, plain = {}, set()
    for m in metrics:
        name = trec_name(m)
        if name is None:
            plain.add("recip_rank")
            continue
        base, sep, k = name.rpartition("_")
        if k.isdigit() and base in ("ndcg_cut", "map_cut", "P", "recall", "success"):
            cuts.setdefault(base, set()).add(int(k))
        else:
            plain.add(name)
    return plain | {f"{b}.{','.join(str(k) for k in sorted(ks))}" for b, ks in cuts.items()}


def scored(ranking):
    """A pytrec_eval run dict whose scores fall strictly down the list."""
    return {d: float(len(ranking) - i) for i, d in enumerate(ranking)}


def evaluate(qrels, run_lists, metrics, relevance_level=1, run_scores=None):
    """Per-query values {qid: {metric: value}} for queries in both run and qrels (pytrec_eval's rule).

    run_lists: {qid: [docid, ...]} best first; run_scores, if given, is the pytrec_eval run itself
    (with ties), and run_lists must then be its trec_eval order."""
    run = run_scores or {q: scored(r) for q, r in run_lists.items()}
    ev = pytrec_eval.RelevanceEvaluator(qrels, measure_spec(metrics), relevance_level=relevance_level)
    res = ev.evaluate(run)
    out = {}
    for qid in run_lists:
        if qid not in qrels:
            continue
        vals = {}
        for m in metrics:
            name = trec_name(m)
            if name is None:  # mrr@k: recip_rank over the run cut to k
                k = int(m.split("@")[1])
                cut = {qid: scored(run_lists[qid][:k])}
                e = pytrec_eval.RelevanceEvaluator({qid: qrels[qid]}, {"recip_rank"}, relevance_level=relevance_level)
                vals[m] = e.evaluate(cut).get(qid, {}).get("recip_rank", 0.0)
            else:
                vals[m] = res[qid][name]
        check_definitions(vals, run_lists[qid], qrels[qid], relevance_level)
        out[qid] = vals
    return out


def check_definitions(vals, ranking, judged, level):
    """hit@k and mrr@k by their definitions, against what pytrec_eval gave."""
    for m, v in vals.items():
        base, _, k = m.partition("@")
        if base not in ("hit", "mrr") or not k:
            continue
        top = ranking[: int(k)]
        rel = [judged.get(d, -10**9) >= level for d in top]
        want = (1.0 if any(rel) else 0.0) if base == "hit" else next((1 / (i + 1) for i, r in enumerate(rel) if r), 0.0)
        assert abs(v - want) < 1e-12, (m, v, want)


def mean(per_query, metrics, denominator=None):
    n = denominator if denominator is not None else len(per_query)
    return {m: (sum(v[m] for v in per_query.values()) / n if n else 0.0) for m in metrics}


def case(name, qrels, run, metrics=METRICS, relevance_level=1, note="", run_scores=None):
    per_query = evaluate(qrels, run, metrics, relevance_level, run_scores)
    c = {"name": name, "note": note, "relevance_level": relevance_level, "metrics": metrics,
         "qrels": qrels, "run": run, "per_query": per_query, "mean": mean(per_query, metrics),
         # trec_eval -c: every qrels query, those the run lacks counting 0.
         "mean_complete": mean(per_query, metrics, denominator=len(qrels))}
    if run_scores:
        c["run_scores"] = run_scores
    return c


def synthetic_cases():
    cases = []
    cases.append(case(
        "graded",
        note="grades 0-3, unjudged documents retrieved, relevant documents not retrieved",
        qrels={"q1": {"a": 3, "b": 0, "c": 2, "d": 1, "e": 3, "f": 0},
               "q2": {"x": 1, "y": 2, "z": 0, "w": 2}},
        run={"q1": ["b", "u1", "c", "a", "u2", "d", "f", "u3", "u4", "u5", "u6", "e"],
             "q2": ["z", "u1", "u2", "w", "x"]}))
    cases.append(case(
        "binary",
        qrels={"b1": {"d1": 1, "d2": 0, "d3": 1, "d4": 1, "d5": 0},
               "b2": {"r": 1}},
        run={"b1": ["d2", "d1", "n1", "d3", "d5", "n2", "n3", "d4"],
             "b2": ["n1", "n2", "n3", "n4", "n5", "n6", "r"]}))
    cases.append(case(
        "no-relevant",
        note="a query whose judgments are all 0 (counted, with 0), and one with a relevant document",
        qrels={"n1": {"a": 0, "b": 0}, "n2": {"a": 1}},
        run={"n1": ["a", "b", "c"], "n2": ["c", "a"]}))
    cases.append(case(
        "short-list",
        note="cutoffs larger than the list: missing ranks are not relevant (P@10 divides by 10)",
        qrels={"s1": {"a": 2, "b": 1, "c": 0, "d": 1}},
        run={"s1": ["a", "c", "b"]}))
    cases.append(case(
        "threshold-2",
        relevance_level=2,
        note="relevance threshold 2: grade 1 is not relevant for binary metrics; NDCG still gains from it",
        qrels={"t1": {"a": 1, "b": 2, "c": 3, "d": 1}, "t2": {"a": 1}},
        run={"t1": ["a", "d", "b", "x", "c"], "t2": ["a"]}))
    cases.append(case(
        "query-sets",
        note="run query without judgments (skipped), qrels query missing from the run "
             "(skipped; 0 with complete queries), query with an empty ranking (counted, 0)",
        qrels={"k1": {"a": 1, "b": 2}, "k2": {"a": 1}, "k3": {"z": 2}},
        run={"k1": ["b", "a"], "k3": [], "only-in-run": ["a"]}))
    cases.append(case(
        "negative-grades",
        note="a negative grade is judged but counts as not relevant, no gain",
        qrels={"g1": {"a": -1, "b": 1, "c": 2}},
        run={"g1": ["a", "b", "c"]}))
    rng = random.Random(20231)
    qrels, run = {}, {}
    for q in range(25):
        qid = f"r{q}"
        pool = [f"d{i}" for i in range(60)]
        judged = rng.sample(pool, rng.randint(1, 40))
        qrels[qid] = {d: rng.choice([0, 0, 0, 1, 1, 2, 3]) for d in judged}
        run[qid] = rng.sample(pool, rng.randint(0, 50))
    cases.append(case("random", note="seeded random: 25 queries, 60-document pools", qrels=qrels, run=run))
    # Ties: tied scores, ranked by trec_eval's rule (score desc, docid desc). run_scores is what a
    # TREC run file holds; run is the order trec_eval (and llmrank's reader) reads it in.
    run_scores = {"t": {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 0.5, "D": 1.0, "aa": 2.0}}
    order = [d for d, _ in sorted(run_scores["t"].items(), key=lambda kv: (-kv[1], _Desc(kv[0])))]
    tie_qrels = {"t": {"a": 1, "b": 2, "c": 0, "d": 1, "D": 3, "e": 1}}
    # The order is trec_eval's: the tied run and the same order with strictly falling scores agree.
    assert evaluate(tie_qrels, {"t": order}, METRICS) == evaluate(tie_qrels, {"t": order}, METRICS, 1, run_scores)
    cases.append(case(
        "ties", note="tied scores: trec_eval orders them by docid descending (strcmp)",
        qrels=tie_qrels,
        run={"t": order}, run_scores=run_scores))
    return cases


class _Desc:
    """Sort key for descending byte order (strcmp) of docids."""
    def __init__(self, s):
        self.b = s.encode()

    def __lt__(self, other):
        return self.b > other.b


def load_rank_llm(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    run = {}
    for item in data:
        qid = str(item["hits"][0]["qid"])
        run[qid] = [str(h["docid"]) for h in item["hits"]]
    return run


def data_fixture(name, run, qrels, note):
    per_query = evaluate(qrels, run, DATA_METRICS)
    return {"name": name, "note": note, "metrics": DATA_METRICS, "per_query": per_query,
            "mean": mean(per_query, DATA_METRICS), "queries": len(per_query)}


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(root, "fixtures", "eval"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    header = {"generator": "scripts/reference/eval_fixtures.py",
              "pytrec_eval": f"pytrec-eval-terrier {version('pytrec-eval-terrier')}"}

    def write(fname, obj):
        with open(os.path.join(args.out, fname), "w", encoding="utf-8") as f:
            json.dump({**header, **obj}, f, indent=1, sort_keys=True)
            f.write("\n")

    write("synthetic.json", {"cases": synthetic_cases()})

    dl19 = os.path.join(args.data, "trec-dl19")
    with open(os.path.join(dl19, "qrels.json"), encoding="utf-8") as f:
        qrels = {q: {d: int(g) for d, g in docs.items()} for q, docs in json.load(f).items()}
    fx = data_fixture("dl19-bm25", load_rank_llm(os.path.join(dl19, "bm25-top100.json")), qrels,
                      "TREC DL19 passage, BM25 top-100 in file order (the RankGPT paper's BM25: NDCG@10 0.5058)")
    write("dl19-bm25.json", fx)
    print("DL19 BM25 ndcg@10 = %.6f over %d queries" % (fx["mean"]["ndcg@10"], fx["queries"]))

    nov = os.path.join(args.data, "noveleval")
    qrels = {}
    with open(os.path.join(nov, "qrels.txt"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q, _, d, g = line.split()
                qrels.setdefault(q, {})[d] = int(g)
    fx = data_fixture("noveleval-input", load_rank_llm(os.path.join(nov, "data.json")), qrels,
                      "NovelEval-2306 data.json in its input (search-engine) order")
    write("noveleval-input.json", fx)
    print("NovelEval input order: " + ", ".join("%s %.4f" % (m, fx["mean"][m]) for m in ("ndcg@1", "ndcg@5", "ndcg@10")))


if __name__ == "__main__":
    sys.exit(main())
