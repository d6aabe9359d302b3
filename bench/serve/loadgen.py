#!/usr/bin/env python3
"""bench/serve's load generator (standard library only): sends N rerank requests, C at once, each
on a keep-alive connection of its own thread, and prints one JSON line: requests/s and the p50
and p99 latency in ms. With --judge-endpoint PORT it instead serves a loopback OpenAI-style chat
endpoint that answers every call after --delay seconds (the judge profile's LLM); its GET /count
says how many calls it answered and how many distinct request bodies they had.

    python loadgen.py --url http://127.0.0.1:8090/v1/rerank --docs 20 --concurrency 8 --requests 64
    python loadgen.py --judge-endpoint 8093 --delay 0.2
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = ("aurora solar wind magnetosphere particle polar night sky light green oxygen nitrogen "
         "storm field charged atmosphere latitude winter camera forecast activity").split()


def document(i, j):
    return " ".join(WORDS[(i * 7 + j * 3 + k) % len(WORDS)] for k in range(40 + (i + j) % 20))


def run(url, docs, concurrency, requests, model, start=0):
    parts = urllib.parse.urlsplit(url)
    latencies = []
    lock = threading.Lock()
    counter = iter(range(start, start + requests))

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            body = json.dumps({"model": model, "query": f"what causes the northern lights {i}?",
                               "documents": [document(i, j) for j in range(docs)]})
            start = time.perf_counter()
            conn.request("POST", parts.path, body=body, headers={"Content-Type": "application/json"})
            reply = conn.getresponse()
            data = reply.read()
            elapsed = time.perf_counter() - start
            if reply.status != 200 or len(json.loads(data)["results"]) != docs:
                raise SystemExit(f"{url}: status {reply.status}: {data[:200]!r}")
            with lock:
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return {"requests": len(latencies), "rps": len(latencies) / wall, "p50_ms": pick(0.50), "p99_ms": pick(0.99)}


def judge_endpoint(port, delay):
    seen = {"calls": 0, "bodies": set()}
    seen_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            with seen_lock:
                body = json.dumps({"calls": seen["calls"], "distinct": len(seen["bodies"])}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with seen_lock:
                seen["calls"] += 1
                seen["bodies"].add(request)
            time.sleep(delay)
            body = json.dumps({"choices": [{"message": {"content": "Score: 3"}, "finish_reason": "stop"}],
                               "usage": {"prompt_tokens": 100, "completion_tokens": 3}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 512
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--requests", type=int, default=32)
    parser.add_argument("--model", default="encoder")
    parser.add_argument("--judge-endpoint", type=int)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--start", type=int, default=0, help="first request index (queries differ by index)")
    args = parser.parse_args()
    if args.judge_endpoint:
        judge_endpoint(args.judge_endpoint, args.delay)
    else:
        print(json.dumps(run(args.url, args.docs, args.concurrency, args.requests, args.model, args.start)))


if __name__ == "__main__":
    main()
