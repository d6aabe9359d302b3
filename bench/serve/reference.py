#!/usr/bin/env python3
"""The reference rerank service of bench/serve: the way most teams deploy one. FastAPI + uvicorn +
sentence-transformers on PyTorch (CPU, 2 threads), all-MiniLM-L6-v2 from $LLMRANK_HOME/models, as a
bi-encoder (cosine of the query's and each document's embedding, the way llmrank's encoder
profile ranks with this model), answering Cohere's POST /v1/rerank shape.

    python bench/serve/reference.py --port 8091 [--model DIR] [--threads 2]
"""
import argparse
import os
from pathlib import Path

import torch
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from sentence_transformers import SentenceTransformer


class RerankBody(BaseModel):
    query: str
    documents: list[str]
    model: str | None = None
    top_n: int | None = None


def make_app(model_dir):
    encoder = SentenceTransformer(str(model_dir), device="cpu")
    app = FastAPI()

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.post("/v1/rerank")
    def rerank(body: RerankBody):
        with torch.inference_mode():
            vectors = encoder.encode([body.query] + body.documents, batch_size=32, convert_to_tensor=True,
                                     normalize_embeddings=True)
        scores = (vectors[1:] @ vectors[0]).tolist()
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        if body.top_n:
            order = order[:body.top_n]
        return {"id": "ref", "model": "all-MiniLM-L6-v2",
                "results": [{"index": i, "relevance_score": (scores[i] + 1) / 2} for i in order]}

    return app


def main():
    home = Path(os.environ.get("LLMRANK_HOME", Path.home() / ".cache/llmrank"))
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", default=str(home / "models/all-MiniLM-L6-v2"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    uvicorn.run(make_app(args.model), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
