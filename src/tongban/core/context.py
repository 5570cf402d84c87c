"""Per-request context (client address) that audit entries pick up without threading it
through every service call."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

client_ip: ContextVar[str] = ContextVar("client_ip", default="")


def client_address(request: HttpRequest) -> str:
    """The client's address: the socket peer, or the entry that the configured number of
    trusted reverse proxies appended to X-Forwarded-For (never a client-supplied one)."""
    proxies = int(settings.TONGBAN_TRUSTED_PROXIES)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(client_address(request)[:45])
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
