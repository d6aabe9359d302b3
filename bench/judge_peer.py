"""The peer for `llmrank-bench judge --peer`: the same pointwise calls through the Python `openai`
SDK against the server the Swift benchmark started, one at a time (how LangChain's
LLMChainFilter and most notebooks judge) and with asyncio at the same concurrency.
Usage: python3 bench/judge_peer.py BASE_URL N CONCURRENCY   (needs `pip install openai`)"""
import asyncio
import sys
import time

try:
    import openai
except ImportError:
    print("openai-python            (not installed: pip install openai)")
    sys.exit(0)

base, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def messages(i):
    return [{"role": "user", "content": f"Query: what is the benchmark query\nPassage: peer passage {i}\nScore 1-5:"}]


client = openai.OpenAI(base_url=base, api_key="none", max_retries=0)
t0 = time.perf_counter()
for i in range(n):
    client.chat.completions.create(model="m", messages=messages(i), temperature=0, max_tokens=16)
print("openai-python, sequential %9.3f %9s %7d %11d" % (time.perf_counter() - t0, "-", n, 0))


async def concurrent():
    aclient = openai.AsyncOpenAI(base_url=base, api_key="none", max_retries=0)
    sem = asyncio.Semaphore(concurrency)

    async def one(i):
        async with sem:
            await aclient.chat.completions.create(model="m", messages=messages(i), temperature=0, max_tokens=16)

    t = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    print("openai-python, asyncio   %9.3f %9s %7d %11d" % (time.perf_counter() - t, "-", n, 0))


asyncio.run(concurrent())
