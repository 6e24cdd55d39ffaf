"""The one settings object: every variable of SPEC.md, read from the environment and `.env`.

When the Meta secrets or the app's secret key are not set (the embedded default), they are
generated once and kept in the data folder, so the webhook and the simulator share them and a
restart keeps them. When `DATABASE_URL`/`REDIS_URL` are not set, the addresses of the embedded
services started for the same data folder are used (see `vschool services`).
"""

import json
import os
import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v25.0"
SIMULATOR_PAGE_ID = "100000000000001"  # "V School" on the built-in Meta simulator
SIMULATOR_AD_ACCOUNT_ID = "act_100000000000077"  # the school's ad account on the simulator
GENERATED_SECRETS = ("secret_key", "meta_app_secret", "meta_verify_token")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Configuration of one V School CRM installation. Secrets are `SecretStr`: they never print."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL"))
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))
    data_dir: Path = Field(Path("var"), validation_alias=_env("VSCHOOL_DATA_DIR"))
    secret_key: SecretStr | None = Field(None, validation_alias=_env("VSCHOOL_SECRET_KEY"))
    timezone: str = Field("Asia/Bangkok", validation_alias=_env("VSCHOOL_TIMEZONE"))
    port: int = Field(3000, validation_alias=_env("VSCHOOL_PORT"))
    backend_port: int = Field(8000, validation_alias=_env("VSCHOOL_BACKEND_PORT"))
    meta_app_secret: SecretStr | None = Field(None, validation_alias=_env("META_APP_SECRET"))
    meta_verify_token: SecretStr | None = Field(None, validation_alias=_env("META_VERIFY_TOKEN"))
    meta_page_id: str | None = Field(None, validation_alias=_env("META_PAGE_ID"))
    meta_page_access_token: SecretStr | None = Field(
        None, validation_alias=_env("META_PAGE_ACCESS_TOKEN")
    )
    meta_ad_account_id: str | None = Field(None, validation_alias=_env("META_AD_ACCOUNT_ID"))
    # A token with ads_read for the Marketing API (a system user's); default: the Page token.
    meta_marketing_access_token: SecretStr | None = Field(None, validation_alias=_env("META_MARKETING_ACCESS_TOKEN"))
    meta_graph_url: str = Field(DEFAULT_GRAPH_URL, validation_alias=_env("META_GRAPH_URL"))
    gemini_api_key: SecretStr | None = Field(None, validation_alias=_env("GEMINI_API_KEY"))
    gemini_base_url: str | None = Field(None, validation_alias=_env("GEMINI_BASE_URL"))
    gemini_model: str = Field("gemini-2.5-flash", validation_alias=_env("GEMINI_MODEL"))
    simulator_port: int = Field(8010, validation_alias=_env("VSCHOOL_SIMULATOR_PORT"))
    # How long a silent worker counts as alive before its unfinished messages go to another
    # (Dramatiq's default, 60 s), and how often (per million fetches) workers look for them.
    worker_heartbeat_timeout_ms: int = Field(60_000, validation_alias=_env("VSCHOOL_WORKER_HEARTBEAT_TIMEOUT_MS"))
    broker_maintenance_chance: int = Field(1_000, validation_alias=_env("VSCHOOL_BROKER_MAINTENANCE_CHANCE"))
    # The app's own origin (CORS allows only it; links in resets point at it). Unset: the local app.
    public_url_setting: str | None = Field(None, validation_alias=_env("VSCHOOL_PUBLIC_URL"))
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks).
    trusted_proxies: str = Field("", validation_alias=_env("VSCHOOL_TRUSTED_PROXIES"))
    # Seats: a held seat becomes taken once this share of the order total is paid (the deposit
    # rule, percent); an unpaid hold is released after this many days.
    deposit_percent: Decimal = Field(Decimal(30), ge=0, le=100, validation_alias=_env("VSCHOOL_DEPOSIT_PERCENT"))
    seat_hold_days: int = Field(3, ge=1, le=60, validation_alias=_env("VSCHOOL_SEAT_HOLD_DAYS"))
    # Back to Meta (Conversions API for business messaging, ADR 016): how long after a customer's
    # first ad referral their order or qualification still counts for that ad; the Page's dataset
    # (unset: the one Meta returns for the Page, asked once).
    attribution_days: int = Field(28, ge=1, le=90, validation_alias=_env("VSCHOOL_ATTRIBUTION_DAYS"))
    meta_dataset_id: str | None = Field(None, validation_alias=_env("META_DATASET_ID"))
    # Reminders (ADR 016): days before a round starts for "class starts" and "balance due".
    reminder_class_days: int = Field(3, ge=1, le=30, validation_alias=_env("VSCHOOL_REMINDER_CLASS_DAYS"))
    reminder_balance_days: int = Field(7, ge=1, le=60, validation_alias=_env("VSCHOOL_REMINDER_BALANCE_DAYS"))

    @property
    def run_dir(self) -> Path:
        """Where the embedded services keep sockets, pid files and their addresses."""
        return self.data_dir.resolve() / "run"

    @property
    def public_url(self) -> str:
        """The origin staff open the app at, without a trailing slash."""
        return (self.public_url_setting or f"http://localhost:{self.port}").rstrip("/")

    @property
    def uses_simulator(self) -> bool:
        """No Page token: outbound Meta calls go to the built-in simulator."""
        return self.meta_page_access_token is None

    @property
    def graph_url(self) -> str:
        """Where Graph API calls go: Meta, or the simulator when there is no Page token."""
        if self.uses_simulator:
            return f"http://127.0.0.1:{self.simulator_port}/v25.0"
        return self.meta_graph_url.rstrip("/")

    @property
    def page_id(self) -> str:
        return self.meta_page_id or SIMULATOR_PAGE_ID

    @property
    def ad_account_id(self) -> str | None:
        """`act_…` of the ad account the ad sync reads: META_AD_ACCOUNT_ID (with or without the
        `act_` prefix), or the simulator's account; None when going live without one."""
        if self.meta_ad_account_id:
            raw = self.meta_ad_account_id.strip()
            return raw if raw.startswith("act_") else f"act_{raw}"
        return SIMULATOR_AD_ACCOUNT_ID if self.uses_simulator else None

    @property
    def marketing_token(self) -> str:
        token = self.meta_marketing_access_token
        return token.get_secret_value() if token else self.page_token

    @property
    def page_token(self) -> str:
        token = self.meta_page_access_token
        return token.get_secret_value() if token else "simulator-page-token"

    def with_local_defaults(self) -> "Settings":
        """Fill what the embedded default provides: generated secrets and service addresses."""
        updates: dict[str, object] = {}
        missing = [name for name in GENERATED_SECRETS if getattr(self, name) is None]
        if missing:
            kept = _kept_secrets(self.data_dir)
            updates.update({name: SecretStr(kept[name]) for name in missing})
        services = read_service_addresses(self.data_dir)
        if self.database_url is None and services.get("database_url"):
            updates["database_url"] = services["database_url"]
        if self.redis_url is None and services.get("redis_url"):
            updates["redis_url"] = services["redis_url"]
        return self.model_copy(update=updates) if updates else self


def services_file(data_dir: Path) -> Path:
    return data_dir.resolve() / "run" / "services.json"


def read_service_addresses(data_dir: Path) -> dict[str, str]:
    """Addresses written by `vschool services start`, or {} when none are running."""
    path = services_file(data_dir)
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _kept_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets generated once per data folder (0600), so every process agrees on them."""
    path = data_dir.resolve() / "secrets.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        kept = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        kept = {}
    if all(name in kept for name in GENERATED_SECRETS):
        return kept
    for name in GENERATED_SECRETS:
        kept.setdefault(name, secrets.token_urlsafe(32))
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(kept, fh)
    try:
        os.link(tmp, path)  # first writer wins; a racing process reads the winner's file
    except FileExistsError:
        kept = json.loads(path.read_text())
    finally:
        tmp.unlink(missing_ok=True)
    return kept


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, with the embedded defaults filled in."""
    return Settings().with_local_defaults()
