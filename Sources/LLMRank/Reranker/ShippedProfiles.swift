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
# llmrank profile: the embedded default, with no API key. The encoder ranks every candidate, the
# embedded llama-server (SmolLM2-135M-Instruct) judges the encoder's top 20 with yes/no, and the two
# rankings are fused (RRF). Measured on NovelEval (README, Results) with the top 10: fusion recovers
# part of what the 135M judge loses (NDCG@10 0.6824 against 0.6014 for yes/no alone) but stays below
# the encoder alone (0.7417). Point `endpoint.base_url` at a stronger model, or use `encoder`.
description: Embedded llama-server (no key) judges the encoder's top 20 with yes/no, fused with the encoder (RRF).
endpoint:
  base_url: local
encoder:
  model: all-MiniLM-L6-v2
  keep: 20
judge:
  method: yesno
fusion:
  method: rrf

"""#),
    ]
}
