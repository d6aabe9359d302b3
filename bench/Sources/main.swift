print("llmrank-bench")
