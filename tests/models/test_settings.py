from pathlib import Path

import pytest

from models.settings import DEFAULT_GRAPH_URL, Settings


def test_reads_every_spec_variable_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://u@db/x",
        "REDIS_URL": "redis://r:6379/0",
        "VSCHOOL_DATA_DIR": str(tmp_path),
        "VSCHOOL_SECRET_KEY": "s3cret",
        "VSCHOOL_TIMEZONE": "Asia/Tokyo",
        "VSCHOOL_PORT": "3100",
        "VSCHOOL_BACKEND_PORT": "8100",
        "META_APP_SECRET": "app-secret",
        "META_VERIFY_TOKEN": "verify",
        "META_PAGE_ID": "123",
        "META_PAGE_ACCESS_TOKEN": "EAAB",
        "META_AD_ACCOUNT_ID": "act_9",
        "META_GRAPH_URL": "http://127.0.0.1:9/v25.0",
        "GEMINI_API_KEY": "g-key",
        "GEMINI_BASE_URL": "http://127.0.0.1:9",
        "GEMINI_MODEL": "gemini-x",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    s = Settings(_env_file=None).with_local_defaults()
    assert s.database_url == env["DATABASE_URL"] and s.redis_url == env["REDIS_URL"]
    assert s.data_dir == tmp_path and s.timezone == "Asia/Tokyo"
    assert (s.port, s.backend_port) == (3100, 8100)
    assert s.secret_key.get_secret_value() == "s3cret"
    assert s.meta_app_secret.get_secret_value() == "app-secret"
    assert s.meta_page_access_token.get_secret_value() == "EAAB"
    assert (s.meta_page_id, s.meta_ad_account_id, s.meta_graph_url) == ("123", "act_9", env["META_GRAPH_URL"])
    assert (s.gemini_base_url, s.gemini_model) == (env["GEMINI_BASE_URL"], "gemini-x")
    assert not s.uses_simulator
    assert "app-secret" not in repr(s) and "EAAB" not in repr(s)  # secrets never print


def test_dot_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VSCHOOL_TIMEZONE", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("VSCHOOL_TIMEZONE=Europe/Paris\nMETA_PAGE_ID=777\n")
    s = Settings(_env_file=env_file)
    assert s.timezone == "Europe/Paris" and s.meta_page_id == "777"


def test_generated_secrets_are_kept_in_the_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("META_APP_SECRET", "META_VERIFY_TOKEN", "VSCHOOL_SECRET_KEY", "META_PAGE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VSCHOOL_DATA_DIR", str(tmp_path))
    first = Settings(_env_file=None).with_local_defaults()
    second = Settings(_env_file=None).with_local_defaults()
    assert first.meta_app_secret.get_secret_value() == second.meta_app_secret.get_secret_value()
    assert len(first.meta_verify_token.get_secret_value()) >= 32
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0  # only the owner reads it
    assert first.uses_simulator and first.meta_graph_url == DEFAULT_GRAPH_URL


def test_embedded_service_addresses_fill_unset_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("VSCHOOL_DATA_DIR", str(tmp_path))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "services.json").write_text('{"database_url": "postgresql://a", "redis_url": "unix:///r"}')
    s = Settings(_env_file=None).with_local_defaults()
    assert (s.database_url, s.redis_url) == ("postgresql://a", "unix:///r")



def test_the_test_session_never_touches_the_developers_data_folder() -> None:
    import os

    from models.db import get_engine
    from models.settings import get_settings
    from tests.conftest import ROOT

    settings = get_settings()
    assert settings.data_dir.resolve() != (ROOT / "var").resolve()
    assert (settings.database_url, settings.redis_url) == (os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    assert str(ROOT / "var") not in str(get_engine().url)
