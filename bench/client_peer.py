"""The peer for `llmrank-bench client --peer`: the same calls through the Python `openai` SDK
(the client RankGPT and rank_llm use), against the server the Swift benchmark started.
Usage: python3 bench/client_peer.py BASE_URL CALLS   (needs `pip install openai`)"""
import asyncio
import statistics
import sys
import time

try:
    import openai
except ImportError:
    print("openai-python     (not installed: pip install openai)")
    sys.exit(0)

base, calls = sys.argv[1], int(sys.argv[2])
messages = [{"role": "system", "content": "You judge relevance."},
            {"role": "user", "content": "Query: q\nPassage: p\nScore:"}]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


async def run(concurrency):
    client = openai.AsyncOpenAI(base_url=base, api_key="none", max_retries=0)
    for _ in range(50):
        await client.chat.completions.create(model="m", messages=messages, temperature=0, max_tokens=4)
    lat = []

    async def worker(w):
        i = w
        while i < calls:
            t = time.perf_counter()
            await client.chat.completions.create(model="m", messages=messages, temperature=0, max_tokens=4)
            lat.append((time.perf_counter() - t) * 1000)
            i += concurrency

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - t0
    print("openai-python     %10d %9.0f %9.3f %8.3f" % (concurrency, calls / elapsed, pct(lat, .5), pct(lat, .99)))


for c in (1, 8):
    asyncio.run(run(c))
