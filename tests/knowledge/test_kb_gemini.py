"""The Gemini provider through the real google-genai SDK against the fake Gemini server:
wire format, 768-dimension output, normalisation, retries on 429/5xx, errors after retries,
re-embedding when the provider changes, and search with Gemini vectors."""

import math
from pathlib import Path

import pytest
from google.genai import errors
from sqlmodel import select

from knowledge.embed import GeminiEmbedder, OfflineEmbedder
from knowledge.gemini import GeminiNotConfigured, gemini_client
from knowledge.ingest import ingest_paths
from knowledge.search import search
from models.db import session_scope
from models.knowledge import KnowledgeChunk
from models.settings import get_settings
from tests.fake_gemini import FakeGemini, fake_gemini_fixture  # noqa: F401
from tests.knowledge.test_kb_search import DOCS


def _embedder(fake: FakeGemini, attempts: int = 3) -> GeminiEmbedder:
    client = gemini_client(fake.settings(), attempts=attempts, initial_delay_s=0.01, max_delay_s=0.05, timeout_ms=5000)
    return GeminiEmbedder(client)


def test_batch_embed_speaks_the_wire_format(fake_gemini: FakeGemini) -> None:
    vectors = _embedder(fake_gemini).embed_documents(["คอร์สซูชิ 24,900 บาท", "Parking at Sukhumvit 39"])
    assert len(vectors) == 2 and all(len(v) == 768 for v in vectors)
    assert all(math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, rel_tol=1e-6) for v in vectors)
    [call] = fake_gemini.calls("batchEmbedContents")
    assert call["version"] == "v1" and call["model"] == "gemini-embedding-001"
    assert call["headers"]["x-goog-api-key"] == fake_gemini.api_key
    first = call["body"]["requests"][0]
    assert first["content"]["parts"][0]["text"] == "คอร์สซูชิ 24,900 บาท"
    assert first["taskType"] == "RETRIEVAL_DOCUMENT" and first["outputDimensionality"] == 768


def test_more_than_a_batch_is_split_into_calls_of_100(fake_gemini: FakeGemini) -> None:
    vectors = _embedder(fake_gemini).embed_documents([f"chunk {i}" for i in range(230)])
    assert len(vectors) == 230
    assert [len(c["body"]["requests"]) for c in fake_gemini.calls("batchEmbedContents")] == [100, 100, 30]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried(fake_gemini: FakeGemini, status: int) -> None:
    fake_gemini.fail_next(status, n=2)
    vector = _embedder(fake_gemini, attempts=3).embed_query("ราคาเท่าไหร่")
    assert len(vector) == 768
    calls = fake_gemini.calls("batchEmbedContents")
    assert len(calls) == 3 and calls[-1]["body"]["requests"][0]["taskType"] == "RETRIEVAL_QUERY"


def test_errors_surface_after_the_last_attempt(fake_gemini: FakeGemini) -> None:
    fake_gemini.fail_next(429, n=3)
    with pytest.raises(errors.ClientError) as caught:
        _embedder(fake_gemini, attempts=3).embed_query("hello")
    assert caught.value.code == 429 and caught.value.status == "RESOURCE_EXHAUSTED"
    fake_gemini.fail_next(503, n=3)
    with pytest.raises(errors.ServerError):
        _embedder(fake_gemini, attempts=3).embed_query("hello")
    assert len(fake_gemini.calls("batchEmbedContents")) == 6


def test_a_wrong_key_is_refused_without_retrying(fake_gemini: FakeGemini) -> None:
    settings = fake_gemini.settings().model_copy(update={"gemini_api_key": None})
    with pytest.raises(GeminiNotConfigured):
        gemini_client(settings)
    from pydantic import SecretStr

    wrong = fake_gemini.settings().model_copy(update={"gemini_api_key": SecretStr("not-the-key")})
    with pytest.raises(errors.ClientError) as caught:
        GeminiEmbedder(gemini_client(wrong, initial_delay_s=0.01)).embed_query("hello")
    assert caught.value.code == 400
    assert len(fake_gemini.calls("batchEmbedContents")) == 1


def test_generate_content_answers_from_the_prompt_or_the_script(fake_gemini: FakeGemini) -> None:
    client = gemini_client(fake_gemini.settings(), initial_delay_s=0.01)
    prompt = 'Answer from <source id="1">คอร์สซูชิ 24,900 บาท</source> only.'
    reply = client.models.generate_content(model=get_settings().gemini_model, contents=prompt)
    assert reply.text == "คอร์สซูชิ 24,900 บาท"
    fake_gemini.answer_next("scripted")
    fake_gemini.fail_next(503, action="generateContent")
    assert client.models.generate_content(model="gemini-2.5-flash", contents="hi").text == "scripted"
    assert [c["action"] for c in fake_gemini.requests] == ["generateContent"] * 3


def test_switching_provider_re_embeds_and_search_uses_the_new_vectors(db: None, tmp_path: Path, fake_gemini: FakeGemini) -> None:
    for name, text in DOCS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with session_scope() as session:
        first = ingest_paths(session, [tmp_path], OfflineEmbedder())
    assert len(first.added) == 3 and first.reembedded_chunks == 0
    gemini = _embedder(fake_gemini)
    with session_scope() as session:
        switched = ingest_paths(session, [tmp_path], gemini)
    assert len(switched.unchanged) == 3 and not switched.updated
    assert switched.reembedded_chunks == first.chunks_written
    with session_scope() as session:
        providers = set(session.exec(select(KnowledgeChunk.embedding_provider)).all())
        assert providers == {"gemini:gemini-embedding-001"}
        hits = search(session, "sushi course price THB", k=3, embedder=gemini)
        assert hits and Path(hits[0].source).name == "sushi.md"
        assert search(session, "sushi course price", k=3, embedder=OfflineEmbedder()) == []
    with session_scope() as session:
        back = ingest_paths(session, [tmp_path], OfflineEmbedder())
    assert back.reembedded_chunks == first.chunks_written
