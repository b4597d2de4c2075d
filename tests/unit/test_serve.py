"""The server launch (functions/serve.py): worker count and Nagle's algorithm off on every
connection a worker accepts from a socket bound the way uvicorn's supervisor binds it."""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from functions.serve import PROTOCOL, NoDelayProtocol, cpus, worker_count


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _accepted_nodelay(protocol: type[HttpToolsProtocol]) -> int:
    """TCP_NODELAY of the server side of one connection served by ``protocol``."""
    config = uvicorn.Config(_hello, http=protocol, lifespan="off", log_level="warning")
    config.load()
    state = ServerState()
    # uvicorn's Config.bind_socket for --workers > 1: socket.socket(family=…), protocol 0
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: protocol(config=config, server_state=state, app_state={}), sock=listener
    )
    try:
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        assert (await reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 200")
        (conn,) = state.connections
        sock = conn.transport.get_extra_info("socket")  # type: ignore[attr-defined]
        nodelay: int = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        await writer.wait_closed()
        return nodelay
    finally:
        server.close()
        await server.wait_closed()


def test_the_launch_protocol_turns_nagle_off_where_uvicorn_leaves_it_on() -> None:
    assert f"{NoDelayProtocol.__module__}:{NoDelayProtocol.__name__}" == PROTOCOL
    assert asyncio.run(_accepted_nodelay(NoDelayProtocol)) != 0
    # the reason the protocol exists: a stock worker's connection keeps Nagle on
    assert asyncio.run(_accepted_nodelay(HttpToolsProtocol)) == 0


@pytest.mark.parametrize(
    ("requested", "env", "expected"),
    [(3, "5", 3), (None, "5", 5), (None, None, 1), (0, None, "cpus"), (None, "0", "cpus")],
)
def test_worker_count(
    requested: int | None,
    env: str | None,
    expected: int | str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if env is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", env)
    want = cpus() if expected == "cpus" else expected
    assert worker_count(requested) == want
    assert 1 <= cpus() <= (os.cpu_count() or 1)
