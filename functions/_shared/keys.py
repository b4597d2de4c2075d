"""Supabase API keys, of both generations, and the headers a server-side call sends.

    sb_publishable_…   the new public key (replaces the anon JWT); RLS applies
    sb_secret_…        the new server-only key (replaces the service_role JWT); not a JWT:
                       it goes in the ``apikey`` header only, never as a bearer token
    eyJ…               a legacy anon / service_role key: a JWT, sent as ``apikey`` and as
                       ``Authorization: Bearer``

Nothing here verifies a key: the Supabase API gateway does. This module must never log a
key or put an ``sb_secret_`` key in an ``Authorization`` header.
"""

from __future__ import annotations


def is_api_key(token: str) -> bool:
    """Is ``token`` one of the new opaque API keys (which must not be sent as a bearer)?"""
    return token.startswith(("sb_secret_", "sb_publishable_"))


def api_headers(key: str) -> dict[str, str]:
    """The headers a call to the Supabase APIs (Storage, Data API, Auth admin) with ``key``
    carries: a new key as ``apikey`` only, a legacy JWT key also as the bearer."""
    if is_api_key(key):
        return {"apikey": key}
    return {"apikey": key, "Authorization": f"Bearer {key}"}
