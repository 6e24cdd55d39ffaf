"""`vschool kb ingest|search|watch`: the knowledge base from the command line."""

import argparse
import json
import logging
import sys
from pathlib import Path


def run_kb(args: argparse.Namespace) -> int:
    return {"ingest": _ingest, "search": _search, "watch": _watch}[args.kb_command](args)


def _ingest(args: argparse.Namespace) -> int:
    from knowledge.ingest import ingest_paths
    from models.db import session_scope

    with session_scope() as session:
        report = ingest_paths(session, args.paths)
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    for reason in report.failed.values():
        print(f"Not ingested: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def _search(args: argparse.Namespace) -> int:
    from knowledge.search import search
    from models.db import session_scope

    with session_scope() as session:
        hits = search(session, args.query, k=args.k)
    if args.json:
        print(json.dumps([{"source": h.source, "chunk": h.chunk, "score": h.score, "text": h.text} for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("Nothing found (is the knowledge base empty? `vschool kb ingest PATH`).", file=sys.stderr)
    for hit in hits:
        print(f"{hit.score:.3f}  {hit.source} #{hit.chunk}\n      {hit.text[:200].replace(chr(10), ' / ')}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from knowledge.watch import knowledge_folder, watch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    folder = Path(args.folder) if args.folder else knowledge_folder()
    print(f"Watching {folder} for knowledge files (.md, .txt, .pdf).", file=sys.stderr)
    def tell_open_pages() -> None:
        from actors.push import announce

        try:
            announce("knowledge")
        except Exception:
            pass

    try:
        watch(folder, on_change=tell_open_pages)
    except KeyboardInterrupt:
        pass
    return 0
