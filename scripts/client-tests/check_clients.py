"""Real rerank clients against a running `llmrank serve` (run by RealClientTests with the venv that
scripts/setup-client-tests makes). Prints one JSON object: for each client, the request indexes it
got back, best first, and its relevance scores.

    python check_clients.py --base-url http://127.0.0.1:PORT --model encoder --query Q --docs docs.json
"""
import argparse
import json
import sys
import urllib.request

import cohere
from langchain_cohere import CohereRerank
from langchain_core.documents import Document
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.postprocessor.cohere_rerank import CohereRerank as LlamaIndexCohereRerank


def post(url, payload, key):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.load(reply)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--key", default="no-key")
    parser.add_argument("--query", required=True)
    parser.add_argument("--docs", required=True, help="a JSON file with a list of strings")
    args = parser.parse_args()
    with open(args.docs) as f:
        docs = json.load(f)
    out = {}

    # The official SDK, v1 and v2 clients, pointed at the server.
    v1 = cohere.Client(api_key=args.key, base_url=args.base_url, timeout=120)
    r = v1.rerank(model=args.model, query=args.query, documents=docs, top_n=len(docs), return_documents=True)
    out["cohere_v1"] = {"order": [x.index for x in r.results], "scores": [x.relevance_score for x in r.results],
                        "texts_match": all(x.document.text == docs[x.index] for x in r.results)}
    v2 = cohere.ClientV2(api_key=args.key, base_url=args.base_url, timeout=120)
    r = v2.rerank(model=args.model, query=args.query, documents=docs, top_n=len(docs))
    out["cohere_v2"] = {"order": [x.index for x in r.results], "scores": [x.relevance_score for x in r.results]}

    # LangChain's CohereRerank, as a retriever's document compressor.
    reranker = CohereRerank(client=cohere.ClientV2(api_key=args.key, base_url=args.base_url, timeout=120),
                            model=args.model, top_n=len(docs))
    compressed = reranker.compress_documents([Document(page_content=d, metadata={"i": i}) for i, d in enumerate(docs)], args.query)
    out["langchain"] = {"order": [d.metadata["i"] for d in compressed], "scores": [d.metadata["relevance_score"] for d in compressed]}

    # LlamaIndex's CohereRerank node postprocessor, with the server's URL as its base_url.
    postprocessor = LlamaIndexCohereRerank(api_key=args.key, base_url=args.base_url, model=args.model, top_n=len(docs))
    nodes = postprocessor.postprocess_nodes([NodeWithScore(node=TextNode(text=d, metadata={"i": i})) for i, d in enumerate(docs)],
                                            query_bundle=QueryBundle(args.query))
    out["llamaindex"] = {"order": [n.node.metadata["i"] for n in nodes], "scores": [n.score for n in nodes]}

    # Open WebUI's external reranker: the full URL, model, query, documents, top_n; reads results.
    r = post(args.base_url + "/v1/rerank", {"model": args.model, "query": args.query, "documents": docs, "top_n": len(docs)}, args.key)
    out["open_webui"] = {"order": [x["index"] for x in r["results"]], "scores": [x["relevance_score"] for x in r["results"]]}

    # Dify's Jina-style rerank provider: return_documents and a top_n, documents read back.
    r = post(args.base_url + "/v1/rerank", {"model": args.model, "query": args.query, "documents": docs, "top_n": 2,
                                            "return_documents": True}, args.key)
    out["dify"] = {"order": [x["index"] for x in r["results"]], "scores": [x["relevance_score"] for x in r["results"]],
                   "texts_match": all(x["document"]["text"] == docs[x["index"]] for x in r["results"])}

    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
