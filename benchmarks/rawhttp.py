"""A cheap HTTP/1.1 load generator: one kept-alive socket, the request bytes built once.

The benchmarks run the clients on the same cores as the server and the database; an
``httpx`` client costs about as much CPU per request as a small server route, which
hides the server's share. Here a request is one ``sendall`` of prepared bytes and the
answer is read up to its ``Content-Length`` (the functions server always sends one).
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from typing import Any


class KeepAlive:
    """One kept-alive connection to ``127.0.0.1:port``."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self._head = (
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = b""

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> KeepAlive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def estimate_request(self, body: dict[str, Any]) -> bytes:
        """The bytes of ``POST /functions/v1/estimate`` with ``body`` and a new key."""
        data = json.dumps(body).encode()
        return (
            b"POST /functions/v1/estimate HTTP/1.1\r\n"
            + self._head
            + f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            + data
        )

    def get_request(self, path: str) -> bytes:
        return f"GET {path} HTTP/1.1\r\n".encode() + self._head + b"\r\n"

    def send(self, request: bytes) -> tuple[int, bytes, float]:
        """Send prepared request bytes; the status, the body and the milliseconds."""
        t0 = time.perf_counter()
        self._sock.sendall(request)
        while b"\r\n\r\n" not in self._buf:
            self._recv()
        head, self._buf = self._buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self._buf) < length:
            self._recv()
        body, self._buf = self._buf[:length], self._buf[length:]
        return status, body, (time.perf_counter() - t0) * 1000

    def _recv(self) -> None:
        chunk = self._sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buf += chunk

    def estimate(self, body: dict[str, Any]) -> float:
        """POST a new estimate; milliseconds (a RuntimeError unless 201)."""
        status, answer, ms = self.send(self.estimate_request(body))
        if status != 201:
            raise RuntimeError(f"estimate answered {status}: {answer[:200]!r}")
        return ms
