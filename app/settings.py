"""Dyadic's settings: one class, read from ``DYADIC_*`` environment variables (the README lists them)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DYADIC_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./var/dyadic.db",
        description="SQLAlchemy URL of the database: a SQLite file (default) or postgresql+psycopg://…",
    )
    data_dir: Path = Field(Path("var"), description="where uploads wait while they are imported")
    max_file_mb: float = Field(20.0, gt=0, description="largest transcript file accepted, in megabytes")
    spacy_model: str | None = Field(
        None,
        description="an installed trained spaCy pipeline (e.g. en_core_web_sm); default: blank English",
    )
    local_user: str = Field("researcher", min_length=1, description="your name in local mode")
    max_archive_mb: float = Field(
        200.0, gt=0, description="largest total uncompressed size of a REFI-QDA archive (.qdpx) accepted, in megabytes"
    )
    max_archive_files: int = Field(10_000, gt=0, description="most entries a REFI-QDA archive (.qdpx) may hold")
    refi_schema_dir: Path | None = Field(
        None,
        description="folder with the REFI-QDA schemas (Project-mrt2019.xsd, Codebook-mrt2019.xsd): imports are "
        "checked against them (deviations are warnings) and exports must pass them; unset: not checked",
    )

    mode: Literal["local", "team"] = Field(
        "local",
        description="local: one researcher, no login, served on 127.0.0.1 only; team: accounts and login, several "
        "workers on one PostgreSQL database (needs DYADIC_SECRET_KEY and a postgresql+psycopg:// DYADIC_DATABASE_URL)",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="signs session and form-token cookies (at least 32 characters, e.g. `openssl rand -hex 32`); "
        "required in team mode; local mode keeps a generated one in DATA_DIR/secret_key",
    )
    session_days: float = Field(14.0, gt=0, description="team mode: how long a login lasts, in days")
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="team mode behind a reverse proxy: the proxy addresses whose X-Forwarded-For/-Proto are trusted",
    )

    def team_problem(self) -> str | None:
        """Why team mode cannot start with these settings, or None when it can."""
        if not self.database_url.startswith("postgresql"):
            return "team mode needs PostgreSQL: set DYADIC_DATABASE_URL=postgresql+psycopg://…"
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
            return "team mode needs DYADIC_SECRET_KEY of at least 32 characters (e.g. `openssl rand -hex 32`)"
        return None

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_archive_bytes(self) -> int:
        return int(self.max_archive_mb * 1024 * 1024)
