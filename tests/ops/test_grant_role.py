"""ops/supabase/grant_role.sh against a local stand-in of the Supabase Auth admin API
(GET /auth/v1/admin/users paged, PUT /auth/v1/admin/users/{id} merging app_metadata)."""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import key_accepted, script_env, sh


@dataclass
class FakeAuth:
    key: str
    url: str = ""
    users: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def add(self, email: str, **app_metadata: Any) -> dict[str, Any]:
        user = {
            "id": str(uuid.uuid4()),
            "aud": "authenticated",
            "email": email,
            "app_metadata": {"provider": "email", "providers": ["email"], **app_metadata},
            "user_metadata": {},
        }
        self.users.append(user)
        return user

    def calls(self, method: str) -> list[str]:
        return [path for m, path, _ in self.requests if m == method]


def _handler(fake: FakeAuth) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            fake.requests.append((self.command, self.path, dict(self.headers.items())))
            if not key_accepted(fake.key, self.headers.get("apikey"), self.headers):
                return self._send(401, {"code": 401, "msg": "Invalid API key"})
            url = urlsplit(self.path)
            if self.command == "GET" and url.path == "/auth/v1/admin/users":
                query = parse_qs(url.query)
                page, per_page = int(query["page"][0]), int(query["per_page"][0])
                chunk = fake.users[(page - 1) * per_page : page * per_page]
                return self._send(200, {"users": chunk, "aud": "authenticated"})
            if self.command == "PUT" and url.path.startswith("/auth/v1/admin/users/"):
                uid = url.path.rsplit("/", 1)[1]
                user = next((u for u in fake.users if u["id"] == uid), None)
                if user is None:
                    return self._send(404, {"code": 404, "msg": "User not found"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                for k, v in body.get("app_metadata", {}).items():
                    if v is None:
                        user["app_metadata"].pop(k, None)
                    else:
                        user["app_metadata"][k] = v
                return self._send(200, user)
            return self._send(404, {"code": 404, "msg": "no route"})

        do_GET = do_PUT = _handle

    return Handler


@pytest.fixture
def auth() -> Iterator[FakeAuth]:
    fake = FakeAuth(key=secrets.token_hex(16))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def grant(fake: FakeAuth, *args: str, key_var: str = "SUPABASE_SECRET_KEY") -> Any:
    return sh("grant_role.sh", *args, env=script_env(SUPABASE_URL=fake.url, **{key_var: fake.key}))


def test_the_role_is_set_in_app_metadata_and_other_keys_stay(auth: FakeAuth) -> None:
    auth.key = f"sb_secret_{auth.key}"
    ann = auth.add("ann@example.com")

    result = grant(auth, "ann@example.com", "catalog_admin")

    assert result.returncode == 0, result.report()
    assert ann["app_metadata"] == {
        "provider": "email",
        "providers": ["email"],
        "role": "catalog_admin",
    }
    assert "role none -> catalog_admin" in result.stdout
    # a new secret key is an apikey, never a bearer
    assert all("Authorization" not in headers for _, _, headers in auth.requests)


def test_a_second_run_changes_nothing(auth: FakeAuth) -> None:
    auth.add("ann@example.com", role="catalog_admin")

    result = grant(auth, "ann@example.com", "catalog_admin")

    assert result.returncode == 0, result.report()
    assert "unchanged" in result.stdout
    assert auth.calls("PUT") == []


def test_none_removes_the_role(auth: FakeAuth) -> None:
    bob = auth.add("bob@example.com", role="org_admin")

    result = grant(auth, "bob@example.com", "none")

    assert result.returncode == 0, result.report()
    assert "role" not in bob["app_metadata"]
    assert bob["app_metadata"]["provider"] == "email"


def test_the_user_is_found_on_a_later_page_and_by_email_in_any_case(auth: FakeAuth) -> None:
    for i in range(450):
        auth.add(f"user{i}@example.com")
    target = auth.add("Carol@Example.com")

    result = grant(auth, "carol@example.com", "org_admin", key_var="SUPABASE_SERVICE_ROLE_KEY")

    assert result.returncode == 0, result.report()
    assert target["app_metadata"]["role"] == "org_admin"
    assert auth.calls("GET") == [f"/auth/v1/admin/users?page={n}&per_page=200" for n in (1, 2, 3)]
    # the legacy service_role key goes as apikey and as the bearer
    assert all(h["Authorization"] == f"Bearer {auth.key}" for _, _, h in auth.requests)


def test_an_unknown_email_is_an_error_that_changes_nothing(auth: FakeAuth) -> None:
    auth.add("ann@example.com")

    result = grant(auth, "nobody@example.com", "catalog_admin")

    assert result.returncode != 0
    assert "no user with e-mail nobody@example.com" in result.stdout
    assert auth.calls("PUT") == []


def test_an_unknown_role_is_refused_before_any_request(auth: FakeAuth) -> None:
    result = grant(auth, "ann@example.com", "superuser")

    assert result.returncode != 0
    assert "unknown role 'superuser'" in result.stdout
    assert auth.requests == []


def test_a_wrong_key_is_reported_with_the_answer(auth: FakeAuth) -> None:
    auth.add("ann@example.com")
    env = script_env(SUPABASE_URL=auth.url, SUPABASE_SECRET_KEY="sb_secret_wrong")

    result = sh("grant_role.sh", "ann@example.com", "catalog_admin", env=env)

    assert result.returncode != 0
    assert "answered 401" in result.stdout


def test_without_a_project_it_says_what_to_set() -> None:
    result = sh("grant_role.sh", "ann@example.com", "catalog_admin", env=script_env())

    assert result.returncode != 0
    assert "SUPABASE_URL" in result.stdout
