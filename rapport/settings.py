"""Process configuration: one Settings object read from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A key shorter than this is guessable enough to forge session tokens and reset links.
MIN_SECRET_KEY_LENGTH = 32
DEV_SECRET_KEY = "rapport-embedded-dev-secret-key-not-for-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    rapport_data_dir: Path = Path(".rapport")
    # Set by `rapport run` when it started the embedded services itself: only then may a
    # development secret key stand in for a missing one.
    rapport_embedded: bool = False
    automation_sweep_seconds: int = 60
    webhook_allow_private_targets: bool = False
    smtp_url: str | None = None
    form_rate_per_ip: int = 60
    form_rate_per_form: int = 3000
    access_token_ttl_seconds: int = 7 * 24 * 3600
    public_url: str = "http://127.0.0.1:8000"
    log_format: str = Field(default="auto", description="auto | json | console")
    db_pool_size: int = 10
    # Attachments: `local` keeps them under FILES_DIR (default <RAPPORT_DATA_DIR>/files); `s3`
    # puts them in S3_BUCKET of any S3-compatible service (S3_ENDPOINT_URL for MinIO and the like).
    file_storage: Literal["local", "s3"] = "local"
    files_dir: Path | None = None
    file_max_bytes: int = 25 * 1024 * 1024
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_prefix: str = ""

    @model_validator(mode="after")
    def _require_strong_secret(self) -> Settings:
        if self.secret_key is None and self.rapport_embedded:
            self.secret_key = DEV_SECRET_KEY
        if self.secret_key is None:
            raise ValueError(
                "SECRET_KEY is not set. Set it to a random string of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`), or use `rapport run` for local development."
            )
        if len(self.secret_key) < MIN_SECRET_KEY_LENGTH or len(set(self.secret_key)) < 8:
            raise ValueError(
                f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters."
            )
        if self.file_storage == "s3" and not self.s3_bucket:
            raise ValueError("FILE_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for non-AWS services).")
        return self

    @property
    def attachments_dir(self) -> Path:
        return self.files_dir or self.rapport_data_dir / "files"

    @property
    def secret(self) -> str:
        assert self.secret_key is not None
        return self.secret_key

    @property
    def async_database_url(self) -> str:
        if self.database_url is None:
            raise RuntimeError("DATABASE_URL is not set and no embedded database was started")
        return to_asyncpg_url(self.database_url)


# asyncpg takes `ssl`, not libpq's `sslmode`; other libpq-only parameters are dropped.
_LIBPQ_TO_ASYNCPG = {"sslmode": "ssl"}
_ASYNCPG_PARAMS = {"ssl", "server_settings", "prepared_statement_cache_size", "timeout", "command_timeout"}


def to_asyncpg_url(url: str) -> str:
    """Accept a DATABASE_URL as operators write it and return the SQLAlchemy asyncpg form."""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg"):
        scheme = "postgresql+asyncpg"
    else:
        raise ValueError(f"DATABASE_URL must be a postgresql:// URL, not {parts.scheme}://")
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        key = _LIBPQ_TO_ASYNCPG.get(key, key)
        if key in _ASYNCPG_PARAMS or key == "host":
            query.append((key, value))
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
