"""Settings from the environment and ``.env`` (python-dotenv); .env.example lists them all.

The mode follows from what is set: ``SUPABASE_URL`` with keys and no ``DATABASE_URL``
means the PostgREST + Storage adapters (``supabase``); otherwise Postgres over psycopg
with a local filesystem blob store (``embedded``), or Supabase Storage when
``SUPABASE_URL`` and ``SUPABASE_SERVICE_ROLE_KEY`` are set next to a database URL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[2]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the functions read from the environment, read once at start-up."""

    database_url: str | None = None
    supabase_url: str | None = None
    # sb_publishable_… or the legacy anon JWT
    supabase_anon_key: str | None = None
    # sb_secret_… or the legacy service_role JWT (functions/_shared/keys.py)
    supabase_service_role_key: str | None = None
    jwt_secret: str | None = None
    jwks_url: str | None = None
    jwt_audience: str = "authenticated"
    jwt_issuer: str | None = None
    storage_dir: Path = ROOT / ".local" / "storage"
    public_url: str = "http://127.0.0.1:54321"
    signed_url_ttl_s: int = 600
    signed_url_max_ttl_s: int = 3600
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    evidence_bucket: str = "evidence"
    documents_bucket: str = "documents"
    pool_size: int = 8
    max_body_bytes: int = 512 * 1024
    # A TrueType font with Hangul for the PDF (fonts-nanum, installed by the project's setup)
    document_font: Path = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")

    @property
    def storage_backend(self) -> str:
        return "supabase" if self.supabase_url and self.supabase_service_role_key else "local"

    @classmethod
    def load(cls, env_file: Path | None = ROOT / ".env") -> Settings:
        """Environment variables win over ``.env``; ``.env`` is optional."""
        values: dict[str, str | None] = {}
        if env_file is not None and env_file.exists():
            values.update(dotenv_values(env_file))
        values.update(os.environ)

        def get(name: str) -> str | None:
            value = values.get(name)
            return value if value not in (None, "") else None

        ttl = int(get("SIGNED_URL_TTL_S") or 600)
        max_ttl = int(get("SIGNED_URL_MAX_TTL_S") or 3600)
        return cls(
            database_url=get("DATABASE_URL") or get("SUPABASE_DB_URL"),
            supabase_url=get("SUPABASE_URL"),
            # the new API keys win over the legacy JWT keys when both are set
            supabase_anon_key=get("SUPABASE_PUBLISHABLE_KEY") or get("SUPABASE_ANON_KEY"),
            supabase_service_role_key=get("SUPABASE_SECRET_KEY")
            or get("SUPABASE_SERVICE_ROLE_KEY"),
            jwt_secret=get("JWT_SECRET") or get("SUPABASE_JWT_SECRET"),
            jwks_url=get("JWKS_URL"),
            jwt_audience=get("JWT_AUDIENCE") or "authenticated",
            jwt_issuer=get("JWT_ISSUER"),
            storage_dir=ROOT / (get("STORAGE_DIR") or ".local/storage"),
            public_url=(get("PUBLIC_URL") or "http://127.0.0.1:54321").rstrip("/"),
            signed_url_ttl_s=min(ttl, max_ttl),
            signed_url_max_ttl_s=max_ttl,
            cors_origins=_split(get("CORS_ORIGINS") or ""),
            evidence_bucket=get("EVIDENCE_BUCKET") or "evidence",
            documents_bucket=get("DOCUMENTS_BUCKET") or "documents",
            pool_size=int(get("DB_POOL_SIZE") or 8),
            max_body_bytes=int(get("MAX_BODY_BYTES") or 512 * 1024),
            document_font=Path(
                get("DOCUMENT_FONT") or "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
            ),
        )
