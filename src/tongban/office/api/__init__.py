"""The office app's HTTP API: one router per concept, mounted under /api/v1.

协同办公 is for government staff: every operation answers a citizen or an enterprise with
403, checked once here for all the routers, instead of each list quietly coming back
empty for them."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from tongban.accounts.auth import caller
from tongban.core.errors import PermissionDenied
from tongban.office.api import collab, documents, internal, workitems


def staff_only(operation: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse every caller but staff before the operation runs (after authentication,
    so an anonymous caller still gets 401)."""

    @wraps(operation)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if caller(request).kind != "staff":
            raise PermissionDenied(_("协同办公仅限工作人员使用"))
        return operation(request, *args, **kwargs)

    return guarded


router = Router()
router.add_decorator(staff_only)
router.add_router("", documents.router)
router.add_router("", workitems.router)
router.add_router("", collab.router)
router.add_router("", internal.router)
