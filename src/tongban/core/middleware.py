"""Renders domain errors raised under a page as an error page in the user's language, with
the right status
(the API maps them itself, to JSON); refused requests are audited here, after the
transaction of the refused write has rolled back."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.services import audit_denial


class DomainErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, PermissionDenied):
            audit_denial(actor=request.user, path=request.path, message=exception.message)
        return render(
            request, "error.html", {"message": exception.message}, status=exception.status
        )
