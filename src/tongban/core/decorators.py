"""View decorators shared by the apps' pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tongban.core.errors import PermissionDenied

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Government staff only: visitors are sent to the login page, citizens and enterprises
    get a 403 page that says why."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if getattr(request.user, "kind", None) != "staff":
            raise PermissionDenied(_("工作台仅供政务工作人员使用"))
        return view(request, *args, **kwargs)

    return wrapper
