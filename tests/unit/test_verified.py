"""``verified``: a bearer token is checked on the event loop, unless the verifier may fetch
the project's keys over the network (JWKS), which must not stall the loop."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any, cast

import pytest

from functions._shared.http import verified
from functions._shared.services import Services


class _Verifier:
    def __init__(self, may_fetch_keys: bool) -> None:
        self.may_fetch_keys = may_fetch_keys
        self.thread: int | None = None

    def verify(self, authorization: str | None) -> Any:
        self.thread = threading.get_ident()
        return authorization


@pytest.mark.parametrize("fetches", [False, True])
def test_only_a_verifier_that_may_fetch_keys_runs_off_the_loop(fetches: bool) -> None:
    verifier = _Verifier(fetches)
    svc = cast(Services, SimpleNamespace(verifier=verifier))

    async def check() -> int:
        assert await verified(svc, "Bearer t") == "Bearer t"
        return threading.get_ident()

    loop_thread = asyncio.run(check())
    assert (verifier.thread != loop_thread) is fetches
