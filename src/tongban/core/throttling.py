"""Rate limits per client address for anonymous API calls, one counter per purpose."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle

from tongban.core.context import client_address


class ClientRateThrottle(AnonRateThrottle):
    """Counts anonymous requests per client address under its own ``scope``.

    The address is the one the audit log records (``TONGBAN_TRUSTED_PROXIES`` decides how
    much of X-Forwarded-For to believe), so a client cannot dodge the limit by sending its
    own X-Forwarded-For header.
    """

    def __init__(self, scope: str, rate: str):
        self.scope = scope
        super().__init__(rate)

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_address(request) or None
