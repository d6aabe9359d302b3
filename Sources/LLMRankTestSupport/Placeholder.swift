import LLMRank
