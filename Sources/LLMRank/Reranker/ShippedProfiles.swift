// Generated from profiles/*.yaml by `LLMRANK_UPDATE_PROFILES=1 swift test --filter ShippedProfileFiles`.
// Do not edit: edit the YAML file and regenerate; a test fails while the two differ.

enum ShippedProfiles {
    static let files: [(name: String, yaml: String)] = [
        ("encoder", #"""
# llmrank profile: the local encoder alone. No LLM, no key, no network; the cheapest profile and the
# baseline every LLM profile must beat (DL19 NDCG@10 0.6424, NovelEval 0.7417 with all-MiniLM-L6-v2).
description: The local encoder (all-MiniLM-L6-v2) ranks every candidate; no LLM calls.
encoder:
  model: all-MiniLM-L6-v2

"""#),
        ("hybrid-listwise", #"""
# llmrank profile: the encoder keeps its top 20 and the LLM orders them with RankGPT's listwise
# prompt in one window of 20 (Sun et al., 2023). One call a query (two with a repair); passages cut
# to 300 words. The endpoint comes from the environment, else the embedded server.
description: Encoder top 20, then one RankGPT-style listwise window over them (1 call a query).
encoder:
  model: all-MiniLM-L6-v2
  keep: 20
judge:
  method: listwise
  window: 20
  step: 10

"""#),
        ("hybrid-yesno", #"""
# llmrank profile: the encoder keeps its top 20 and the LLM judges each with one yes/no token,
# P(yes) from its logprobs. 20 calls of 1 completion token per query. The endpoint comes from the
# environment (OPENAI_BASE_URL / OPENAI_API_KEY), else the embedded server.
description: Encoder top 20, then yes/no relevance from the LLM's token logprobs (20 calls a query).
encoder:
  model: all-MiniLM-L6-v2
  keep: 20
judge:
  method: yesno

"""#),
        ("local", #"""
# llmrank profile chosen by `llmrank tune` on ../shared/data/trec-dl19/bm25-top100.json with ../shared/data/trec-dl19/qrels.json:
# 43 judged queries, 5-fold cross-validation over queries (seed 13), objective ndcg@10,
# 7 candidates (0 more over the budget left out).
# encoder alone: ndcg@10 0.6417.
# best LLM candidate yesno@10+weighted:0.2: 0.6408 in-sample, 0.6408 held-out (folds chose yesno@10+weighted:0.2, yesno@10+weighted:0.2, yesno@10+weighted:0.2, yesno@10+weighted:0.2, yesno@10+weighted:0.2).
# held-out difference to the encoder -0.0009, p = 0.5441 (paired randomization test, 10000 sign flips, alpha 0.05).
# chosen: encoder, held-out ndcg@10 0.6417. no LLM candidate beats the encoder alone on held-out queries (-0.0009 ndcg@10, p = 0.5441): the encoder alone is kept.
# Checked on NovelEval (21 queries): ndcg@10 0.7413, the encoder alone's (bfloat16). SmolLM2-135M judged
# worse than the encoder on both (README, Results), so this default does not call it; the embedded
# server is still what `--base-url local` and `--method yesno` on this profile use. Reproduce (README, Tuning):
#   llmrank tune --run ../shared/data/trec-dl19/bm25-top100.json --qrels ../shared/data/trec-dl19/qrels.json \
#     --profile local --base-url local --methods yesno --prefilter 10 --folds 5 --seed 13 --output local.yaml
description: 'Chosen by llmrank tune: the encoder alone; no LLM candidate beat it
  significantly on held-out queries.'
endpoint:
  base_url: local
  api_key_env: OPENAI_API_KEY
  concurrency: 8
  max_attempts: 6
  timeout: 30
encoder:
  model: all-MiniLM-L6-v2
  precision: auto
  chunk: false
cache: default

"""#),
    ]
}
