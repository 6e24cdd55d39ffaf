"""The knowledge base's evaluation set: `knowledge/eval/questions.json`.

Read by `vschool bench kb` (retrieval quality) and `vschool eval ai` (answers and hand-offs).
Format — one JSON object:

    {
      "knowledge_base": "knowledge/school",      # folder the questions are about (repo-relative)
      "questions": [
        {"id": "a01", "lang": "th", "question": "…", "source": "courses/sushi.md",
         "facts": ["24,900"]},
        {"id": "u01", "lang": "en", "question": "…", "source": null, "facts": []}
      ]
    }

- `source`: the document (path relative to `knowledge_base`) that answers the question; `null`
  marks a question the knowledge base cannot answer (the AI must hand off).
- `lang`: "th" or "en" — the language the answer must be in.
- `facts`: strings (prices, dates, numbers) a correct answer contains, verbatim as in the source.
Questions are customers' own words, paraphrased — not copied from the documents.
"""

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "knowledge" / "eval" / "questions.json"


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    lang: str
    question: str
    source: str | None  # None: not answerable from the knowledge base
    facts: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return self.source is not None

    def answered_by(self, hit_source: str) -> bool:
        """Does a search hit's source (a path as ingested) name this question's document?"""
        return self.source is not None and Path(hit_source).as_posix().endswith("/" + self.source)


def load_questions(path: Path = EVAL_FILE) -> tuple[Path, list[EvalQuestion]]:
    """The knowledge-base folder (absolute) and the questions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    folder = ROOT / data["knowledge_base"]
    questions = [
        EvalQuestion(q["id"], q["lang"], q["question"], q.get("source"), tuple(q.get("facts", ())))
        for q in data["questions"]
    ]
    return folder, questions
