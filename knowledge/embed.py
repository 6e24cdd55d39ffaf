"""Embeddings: one interface, two providers, both 768-dimensional and L2-normalised.

- `OfflineEmbedder` (the default; no download, no network): hashed lexical features. Thai runs
  give their dictionary words (PyThaiNLP newmm, offline) and character 2–3-grams (robust to
  spelling variants and compounds the dictionary cuts differently); English gives lightly
  stemmed words and character 3-grams of each word (refund / refunds / refundable share most);
  numbers give their digits without separators ("24,900" = "24900"); and each everyday school
  concept the text mentions (`knowledge.lexicon`: "กี่บาท"/"fee"/"ราคา" → price) gives one
  feature, which bridges paraphrases and the two languages. Each feature is hashed
  (CRC32) to one of 768 dimensions with a sign, weighted, summed, and the vector is normalised,
  so cosine similarity measures shared vocabulary. Common function words are left out.
- `GeminiEmbedder`: `gemini-embedding-001` through google-genai (`knowledge.gemini`), asked for
  768 dimensions (`output_dimensionality`), documents as RETRIEVAL_DOCUMENT and questions as
  RETRIEVAL_QUERY, normalised here (truncated Gemini vectors are not unit length).

`embedder_for(settings)` picks Gemini when GEMINI_API_KEY is set, else the offline one. Every
chunk records the provider's `name` and `dim`; search only compares vectors of one provider,
and re-ingesting under another provider re-embeds (see `knowledge.ingest`).
"""

import math
import re
import zlib
from functools import lru_cache
from typing import Protocol

from models.knowledge import EMBEDDING_DIM
from models.settings import Settings, get_settings

OFFLINE_NAME = "offline-hash-v3"  # a new feature set is a new provider: chunks re-embed
GEMINI_EMBEDDING_MODEL = "gemini-embedding-001"
GEMINI_BATCH = 100  # batchEmbedContents takes at most 100 requests per call

_RUNS = re.compile(r"[\u0E00-\u0E7F]+|[a-z][a-z']*|\d+(?:[.,:]\d+)*")
_THAI_MARKS = re.compile(r"[\u0E48-\u0E4C]")  # tone marks and thanthakhat: often mistyped

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no topic: politeness particles and question words in Thai, function words
# in English. (Question words like "how much"/"เท่าไหร่" are kept: they tell price questions.)
THAI_STOP = _words(
    "ค่ะ คะ ครับ ครับผม จ้า จ้ะ นะ นะคะ นะครับ ค่า ที่ และ หรือ ของ ใน การ ความ ได้ ไหม มั้ย มั๊ย "
    "เป็น มี จะ ก็ ให้ แล้ว ว่า กับ คือ นี้ นั้น อยาก ทราบ ขอ หน่อย บ้าง ด้วย ไป มา อยู่ เรา ฉัน ผม "
    "หนู ดิฉัน คุณ สวัสดี รบกวน สอบถาม ๆ แต่ ถ้า ซึ่ง โดย"
)
ENGLISH_STOP = _words(
    "a an the is are was were be been am do does did of to in on at for and or but if i you we "
    "me my your our it its this that these those there here can could would should will with "
    "from by as about please hi hello what which who whom whose when where why how any some "
    "have has had not no yes so just than then also into out up"
)
WORD_WEIGHT = 1.0
NUMBER_WEIGHT = 1.0
GRAM_WEIGHT = 0.35
THAI_GRAMS = ((2, GRAM_WEIGHT), (3, GRAM_WEIGHT))  # (n, weight) of Thai character n-grams
CONCEPT_WEIGHT = 1.0  # one feature per school concept mentioned (knowledge/lexicon.py)


class Embedder(Protocol):
    name: str  # recorded on every chunk: vectors of different providers are never compared
    dim: int

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class OfflineEmbedder:
    """Hashed character n-grams and words into 768 dimensions: no model, no download."""

    name = OFFLINE_NAME
    dim = EMBEDDING_DIM

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * self.dim
        for feature, weight in features(text).items():
            index, sign = _slot(feature, self.dim)
            vector[index] += sign * weight
        return _normalised(vector)


def features(text: str) -> dict[str, float]:
    """Weighted lexical features of a text (term frequency damped with a logarithm)."""
    counts: dict[str, float] = {}

    def add(feature: str, weight: float) -> None:
        counts[feature] = counts.get(feature, 0.0) + weight

    lowered = text.lower()
    runs = _RUNS.findall(lowered)
    if CONCEPT_WEIGHT:
        from knowledge.lexicon import concepts

        stems = {stem(r) for r in runs if r[0].isalpha() and r[0] < "\u0e00"}
        for concept in concepts(lowered, stems):
            add("c:" + concept, CONCEPT_WEIGHT)
    for run in runs:
        first = run[0]
        if first.isdigit():
            add("n:" + re.sub(r"[.,]", "", run), NUMBER_WEIGHT)
        elif "\u0e00" <= first <= "\u0e7f":
            bare = _THAI_MARKS.sub("", run)
            for word in thai_content_words(run):
                add("t:" + word, WORD_WEIGHT)
            for n, weight in THAI_GRAMS:
                for i in range(len(bare) - n + 1):
                    add(f"g{n}:" + bare[i : i + n], weight)
        elif run not in ENGLISH_STOP and len(run) > 1:
            word = stem(run)
            add("w:" + word, WORD_WEIGHT)
            padded = f"<{word}>"
            for i in range(len(padded) - 2):
                add("e3:" + padded[i : i + 3], GRAM_WEIGHT)
    return {f: (1.0 + math.log(w)) if w >= 1 else w for f, w in counts.items()}


def thai_content_words(run: str) -> list[str]:
    from knowledge.chunk import thai_words

    return [w for w in thai_words(run) if w.strip() and w not in THAI_STOP]


def stem(word: str) -> str:
    """A light English stemmer: plural and common verb endings (enough for matching FAQs)."""
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if suffix == "es" and not word[:-2].endswith(("x", "z", "ch", "sh")):
            continue  # "courses", "prices": the word's own e stays ("course", "price"); "classes", "dishes" lose es
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


@lru_cache(maxsize=200_000)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    h = zlib.crc32(feature.encode())
    return h % dim, (1.0 if (h >> 20) & 1 else -1.0)


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


class GeminiEmbedder:
    """Gemini embeddings (768 dimensions) through the project's one google-genai client."""

    dim = EMBEDDING_DIM

    def __init__(self, client=None, model: str = GEMINI_EMBEDDING_MODEL) -> None:
        from knowledge.gemini import gemini_client

        self.client = client or gemini_client()
        self.model = model
        self.name = f"gemini:{model}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), GEMINI_BATCH):
            vectors.extend(self._embed(texts[start : start + GEMINI_BATCH], "RETRIEVAL_DOCUMENT"))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "RETRIEVAL_QUERY")[0]

    def _embed(self, texts: list[str], task_type: str) -> list[list[float]]:
        from google.genai import types

        response = self.client.models.embed_content(
            model=self.model,
            contents=texts,
            config=types.EmbedContentConfig(task_type=task_type, output_dimensionality=self.dim),
        )
        embeddings = response.embeddings or []
        if len(embeddings) != len(texts):
            raise ValueError(f"Gemini returned {len(embeddings)} embeddings for {len(texts)} texts")
        vectors = [_normalised(list(e.values or [])) for e in embeddings]
        for vector in vectors:
            if len(vector) != self.dim:
                raise ValueError(f"Gemini returned a {len(vector)}-dimensional embedding, not {self.dim}")
        return vectors


def embedder_for(settings: Settings | None = None) -> Embedder:
    """Gemini when an API key is configured, otherwise the offline default."""
    settings = settings or get_settings()
    if settings.gemini_api_key is not None:
        from knowledge.gemini import gemini_client

        return GeminiEmbedder(gemini_client(settings))
    return OfflineEmbedder()
