"""Fixtures for notify: a loopback SMS gateway and a helper to run the outbox."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tongban.accounts.models import User

GATEWAY_KEY = "test-sms-key-0123456789"


@dataclass
class FakeGateway:
    """An SMS gateway on 127.0.0.1 that records requests and answers with ``status``."""

    url: str = ""
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def sms_gateway(settings) -> Iterator[FakeGateway]:
    gateway = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            gateway.requests.append(
                {
                    "raw": raw,
                    "json": json.loads(raw),
                    "signature": self.headers.get("X-Signature", ""),
                    "content_type": self.headers.get("Content-Type", ""),
                    "answered": gateway.status,
                }
            )
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.TONGBAN_SMS_GATEWAY_URL = gateway.url
    settings.TONGBAN_SMS_GATEWAY_KEY = GATEWAY_KEY
    settings.TONGBAN_SMS_GATEWAY_TIMEOUT = 5
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def zhangsan(demo) -> User:
    """A citizen with a phone (demo data) and, here, an email address."""
    user = User.objects.get(username="zhangsan")
    user.email = "zhangsan@example.cn"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def lisi(demo) -> User:
    return User.objects.get(username="lisi")
