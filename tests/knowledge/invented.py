"""An invented school for the answer tests: its pages written to a folder and ingested, and a
customer's question answered as the inbox would."""

from pathlib import Path

from knowledge.answer import Asker, Reply, answer
from knowledge.embed import OfflineEmbedder
from knowledge.ingest import ingest_paths
from models.db import session_scope


def ingest_pages(folder: Path, pages: dict[str, str]) -> None:
    for name, text in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    with session_scope() as s:
        ingest_paths(s, [folder], OfflineEmbedder())


def ask(question: str) -> Reply:
    with session_scope() as s:
        return answer(s, question, Asker())
