"""Driver errors as the API's typed errors: one table for both database adapters.

psycopg errors carry a SQLSTATE; PostgREST forwards the same SQLSTATEs (and its own
``PGRST…`` codes) in its error body. Both adapters classify through ``classify`` so the
same database refusal is the same API error whichever adapter ran the call (see encode/
httpx ``_exceptions.map_exceptions`` for the pattern); transport failures are 503.

Call sites that know better say so with ``overrides``: a SQLSTATE → error factory
consulted first (``23505`` on a catalog import means "this label exists").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from functions._shared.errors import (
    ApiError,
    Conflict,
    DependencyUnavailable,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    OrganisationRequired,
    Unauthorized,
    UnknownUser,
)

Overrides = Mapping[str, Callable[[], ApiError]]

# PostgREST codes (and SQLSTATEs) it answers with 401 / 403 / 404; see
# https://docs.postgrest.org/en/stable/references/errors.html. Three-digit codes are HTTP
# statuses: postgrest-py uses the status as the code when the body is not PostgREST's
# JSON (a gateway or proxy error page).
_UNAUTHORIZED = {"PGRST301", "PGRST302", "PGRST303", "401"}
_FORBIDDEN = {"42501", "403"}
_FORBIDDEN_CLASSES = ("0L", "0P", "28")  # invalid grantor / role specification / auth
_TABLE_NOT_FOUND = {"PGRST205", "42P01", "404"}


# What the SQL functions raise on purpose for a bad argument (22023, and 23514 / 22P02 a
# check or a uuid it could not take): the request is at fault, as the message says.
_INVALID = {"22023", "23514", "22P02"}
# A lost race or a state that forbids the change (PT409: review_quote, create_revision,
# the last admin; 40001: a serialisation failure).
_CONFLICT = {"PT409", "40001"}


def _first_line(message: str | None, default: str) -> str:
    line = (message or "").split("\n", 1)[0].strip()[:200]
    return line or default


def classify(
    code: str | None,
    *,
    table: bool,
    anonymous: bool = False,
    overrides: Overrides | None = None,
    message: str | None = None,
) -> ApiError | None:
    """The API error for a database error ``code`` (SQLSTATE or PostgREST code), or None
    when the code is not one the API knows (the adapter decides: 503 or a bug).

    ``table``: the call read a table or view (not a function); ``anonymous``: as ``anon``;
    ``message``: the database's message, whose first line a conflict or a refused
    argument repeats (the SQL functions word them for the caller).
    """
    code = code or ""
    if overrides and code in overrides:
        return overrides[code]()
    if code in _CONFLICT:
        return Conflict(_first_line(message, "the change conflicts with the stored state"))
    if code in _INVALID and not table:
        return ApiError("VALIDATION_FAILED", _first_line(message, "an argument was refused"))
    if code == "PT422":  # estimator.create_quote: the key was used with another body
        return IdempotencyKeyReused()
    if code == "KE404":  # quotes_set_organisation: not one of the owner's organisations
        return NotFound("organisation not found")
    if code == "KE422":  # quotes_set_organisation: several organisations, none named
        return OrganisationRequired()
    if code == "P0002":  # record_documents: not a quote the caller may read
        return NotFound("quote not found")
    if code == "23505":
        return Conflict("the quote conflicts with a stored one")
    if code == "23503" and not table:  # create_quote: the owner has no auth.users row
        return UnknownUser()
    if code in _UNAUTHORIZED or (code == "42501" and anonymous):
        return Unauthorized("the database did not accept the caller's token")
    if code in _FORBIDDEN or (len(code) == 5 and code.startswith(_FORBIDDEN_CLASSES)):
        return Forbidden("the database refused this operation to the caller")
    if table and code in _TABLE_NOT_FOUND:
        return NotFound("not found")
    return None


@contextmanager
def psycopg_errors(*, overrides: Overrides | None = None) -> Iterator[None]:
    """psycopg's errors as API errors: connection trouble 503, known SQLSTATEs classified,
    anything else raised as it is (a bug, answered 500 INTERNAL and logged)."""
    import psycopg
    from psycopg_pool import PoolTimeout

    try:
        yield
    except ApiError:
        raise
    except (psycopg.OperationalError, PoolTimeout) as err:
        raise DependencyUnavailable("database", err) from None
    except psycopg.Error as err:
        mapped = classify(
            err.sqlstate, table=False, overrides=overrides, message=err.diag.message_primary
        )
        if mapped is None:
            raise
        raise mapped from None


@contextmanager
def postgrest_errors(*, table: bool, anonymous: bool = False) -> Iterator[None]:
    """postgrest-py's and httpx's errors as API errors; nothing becomes a 500."""
    import httpx
    from postgrest import APIError

    try:
        yield
    except APIError as err:
        mapped = classify(err.code, table=table, anonymous=anonymous, message=err.message)
        raise (
            mapped
            or DependencyUnavailable("database", f"PostgREST {err.code or 'error'}: {err.message}")
        ) from None
    except httpx.TransportError as err:
        raise DependencyUnavailable("database", err) from None
