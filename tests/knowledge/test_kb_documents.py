"""Documents as staff see them: named by file, never by the server's path; previewed chunk by
chunk; deleted by an admin — file and chunks gone, audited — while a file outside the knowledge
folder is never touched."""

import pytest
from sqlmodel import select

from knowledge.documents import delete_document, document_chunks, search_kind, source_shown
from knowledge.embed import OfflineEmbedder
from knowledge.ingest import ingest_paths
from knowledge.watch import knowledge_folder
from models import AuditEntry
from models.db import session_scope
from models.enums import Role
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.refusals import Refused
from models.staff import StaffUser
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")

DOC = "# คอร์สทาโกะยากิ\n\n## ราคา\nคอร์สทาโกะยากิครึ่งวัน ราคา 2,500 บาท\n\n## Price\nThe half-day takoyaki class costs 2,500 THB.\n"


def test_a_document_is_named_previewed_and_deleted_with_its_file(tmp_path) -> None:
    folder = knowledge_folder() / "courses"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "takoyaki-test.md"
    path.write_text(DOC, encoding="utf-8")
    with session_scope() as s:
        admin_id = create_staff(s, None, "boss@vschool.test", "Boss", Role.ADMIN, "wagashi-and-ramen-2026").id
        ingest_paths(s, [path], OfflineEmbedder())
    with session_scope() as s:
        doc = s.exec(select(KnowledgeDocument).where(KnowledgeDocument.source == str(path))).one()
        name, chunks = document_chunks(s, doc.id)
        assert name == "courses/takoyaki-test.md"  # relative to the knowledge folder: no server path
        assert [c["n"] for c in chunks] == [str(n) for n in range(1, len(chunks) + 1)]
        assert "2,500 บาท" in " ".join(c["text"] for c in chunks)
        assert delete_document(s, s.get(StaffUser, admin_id), doc.id) == ("courses/takoyaki-test.md", len(chunks))
    assert not path.exists()
    with session_scope() as s:
        assert s.get(KnowledgeDocument, doc.id) is None
        assert s.exec(select(KnowledgeChunk).where(KnowledgeChunk.document_id == doc.id)).first() is None
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "knowledge.delete")).one()
        assert (entry.actor_id, entry.target_type, entry.target_id) == (admin_id, "knowledge_document", str(doc.id))
        assert entry.detail == {"name": "courses/takoyaki-test.md", "chunks": len(chunks), "file_removed": True}
        # a re-index of the folder does not bring it back
        assert not any("takoyaki-test" in added for added in ingest_paths(s, [knowledge_folder()], OfflineEmbedder()).added)
        with pytest.raises(Refused, match="no longer in the knowledge base"):
            delete_document(s, None, doc.id)


def test_a_file_outside_the_knowledge_folder_is_never_deleted(tmp_path) -> None:
    path = tmp_path / "elsewhere.md"
    path.write_text(DOC, encoding="utf-8")
    with session_scope() as s:
        ingest_paths(s, [path], OfflineEmbedder())
    with session_scope() as s:
        doc = s.exec(select(KnowledgeDocument).where(KnowledgeDocument.source == str(path))).one()
        assert source_shown(doc.source) == "elsewhere.md"
        delete_document(s, None, doc.id)
    assert path.exists()  # only its chunks left the index
    with session_scope() as s:
        assert s.get(KnowledgeDocument, doc.id) is None


def test_what_searches_is_named_without_the_model() -> None:
    assert search_kind("offline-hash-v3") == "offline"
    assert search_kind("gemini:gemini-embedding-001") == "gemini"
