"""The Python `mcp` client against `llmrank mcp` over stdio (run by MCPClientTests with the venv that
scripts/setup-client-tests makes). Lists the tools, calls `rerank` and `profiles`, and prints one
JSON object: the tool names, the ids `rerank` returned best first, and the profiles' names.

    python check_mcp.py --llmrank PATH --profile encoder --query Q --docs docs.json
"""
import argparse
import asyncio
import json
import os

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def tool_json(result):
    if result.is_error:
        raise SystemExit("tool error: " + " ".join(getattr(c, "text", "") for c in result.content))
    return json.loads(result.content[0].text)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--llmrank", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--query", required=True)
    parser.add_argument("--docs", required=True, help="a JSON file with a list of strings")
    args = parser.parse_args()
    with open(args.docs) as f:
        texts = json.load(f)
    documents = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    server = StdioServerParameters(command=args.llmrank, args=["mcp", "--profile", args.profile],
                                    env=dict(os.environ))
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            reranked = tool_json(await session.call_tool("rerank", {"query": args.query, "documents": documents,
                                                                    "profile": args.profile}))
            profiles = tool_json(await session.call_tool("profiles", {}))
            bad = await session.call_tool("rerank", {"query": args.query, "documents": "not a list"})
    candidates = reranked["candidates"] if isinstance(reranked, dict) else reranked
    names = [p["name"] if isinstance(p, dict) else p for p in (profiles["profiles"] if isinstance(profiles, dict) else profiles)]
    print(json.dumps({
        "tools": sorted(t.name for t in tools.tools),
        "order": [c["id"] for c in candidates],
        "profiles": names,
        "bad_is_error": bool(bad.is_error),
        "bad_text": " ".join(getattr(c, "text", "") for c in bad.content),
    }))


asyncio.run(main())
