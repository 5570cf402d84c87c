"""Per-request context (client address) that audit entries pick up without threading it
through every service call."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

client_ip: ContextVar[str] = ContextVar("client_ip", default="")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request.META.get("REMOTE_ADDR", "")[:45])
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
