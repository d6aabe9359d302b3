#!/usr/bin/env python3
"""One llama-server configuration, measured on DL19 yes/no judgments.

Starts the server (binary, model, arguments and environment given), sends the yes/no prompt of
prompts/yesno.yaml for the first --docs BM25 passages of each of the first --queries DL19 queries
(each cut to 300 words, as llmrank's --max-words does), --concurrency requests at a time within a
query, one query after the other, and prints one JSON line: seconds per query (median), prompt
tokens evaluated per second (llama-server's own prompt_n / prompt_ms, and over the wall clock),
the prompt-cache hit rate (timings.cache_n over cache_n + prompt_n), and prompt tokens per CPU-second
of the server process (less sensitive to other load than the wall clock).
"""
import argparse, json, os, socket, statistics, subprocess, sys, threading, time, urllib.request

SYSTEM = ("You are an expert search quality rater. You decide whether a passage is relevant to a search query: "
          "relevant means it answers the query or contains information the query asks for. "
          "You answer with a single word, Yes or No.")
USER = ("Search query:\n{query}\n\nPassage:\n{document}\n\n"
        "Is the passage relevant to the search query? Answer with one word, Yes or No.")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port, body, timeout=120):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def wait_healthy(port, proc, deadline=90):
    end = time.time() + deadline
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"llama-server exited with {proc.returncode} during startup")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit("llama-server not healthy in time")


def cpu_seconds(pid):
    """User + system CPU time of the process (all its threads) so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def request(query, passage):
    return {"model": "m", "temperature": 0, "max_tokens": 1, "logprobs": True, "top_logprobs": 10,
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": USER.format(query=query, document=passage)}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--args", default="", help="llama-server arguments besides model, host, port")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server's environment")
    ap.add_argument("--data", required=True, help="DL19 bm25-top100.json")
    ap.add_argument("--queries", type=int, default=10)
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()

    data = json.load(open(a.data))[: a.queries]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_ARG_")}
    env.update(dict(kv.split("=", 1) for kv in a.env))
    cmd = [a.server, "--model", a.model, "--host", "127.0.0.1", "--port", str(port)] + a.args.split()
    log = open(a.log, "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(port, proc)
        post(port, request("warm up", "The server loads its weights on the first request."))
        per_query, prompt_n, cache_n, prompt_ms = [], 0, 0, 0.0
        cpu_start = cpu_seconds(proc.pid)
        lock = threading.Lock()
        for q in data:
            passages = [" ".join(h["content"].split()[:300]) for h in q["hits"][: a.docs]]
            todo = list(passages)
            started = time.perf_counter()

            def worker():
                nonlocal prompt_n, cache_n, prompt_ms
                while True:
                    with lock:
                        if not todo:
                            return
                        p = todo.pop(0)
                    t = post(port, request(q["query"], p))["timings"]
                    with lock:
                        prompt_n += t["prompt_n"]
                        cache_n += t.get("cache_n", 0)
                        prompt_ms += t["prompt_ms"]

            threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            per_query.append(time.perf_counter() - started)
        wall = sum(per_query)
        cpu = cpu_seconds(proc.pid) - cpu_start
        print(json.dumps({
            "label": a.label, "queries": len(per_query), "docs": a.docs, "concurrency": a.concurrency,
            "s_per_query": round(statistics.median(per_query), 3),
            "prompt_tok_s_server": round(prompt_n / (prompt_ms / 1000), 1) if prompt_ms else None,
            "prompt_tok_s_wall": round(prompt_n / wall, 1),
            "server_cpu_s": round(cpu, 2), "prompt_tok_per_cpu_s": round(prompt_n / cpu, 1) if cpu else None,
            "prompt_tokens": prompt_n, "cached_tokens": cache_n,
            "cache_hit": round(cache_n / (cache_n + prompt_n), 3) if cache_n + prompt_n else 0.0,
        }), flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
