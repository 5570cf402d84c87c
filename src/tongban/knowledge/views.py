"""Knowledge pages: the smart Q&A (智能问答, also the knowledge home), public entry pages
and the 有帮助/没帮助 feedback. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.core.throttling import ClientRateThrottle
from tongban.knowledge import selectors, services

MAX_QUESTION = 200


def _throttled(request: HttpRequest) -> bool:
    """The page search shares the API's rate and counter: both query the same index."""
    throttle = ClientRateThrottle("knowledge_search", settings.TONGBAN_RATE_STATUS)
    return not throttle.allow_request(request)


@require_safe
def ask(request: HttpRequest) -> HttpResponse:
    question = request.GET.get("q", "").strip()[:MAX_QUESTION]
    context: dict[str, object] = {"question": question}
    if question:
        if _throttled(request):
            context["error"] = _("查询过于频繁，请稍后再试")
            return render(request, "knowledge/ask.html", context, status=429)
        context["result"] = selectors.answers(question)
        context["ask_url"] = selectors.ask_url(question)
    return render(request, "knowledge/ask.html", context)


@require_safe
def detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_get(entry_id)
    services.entry_viewed(entry)
    return render(
        request,
        "knowledge/detail.html",
        {
            "entry": entry,
            "links": selectors.entry_links(entry),
            "ask_url": selectors.ask_url(entry.question),
        },
    )


@require_POST
def feedback(request: HttpRequest, entry_id: int) -> HttpResponse:
    vote = request.POST.get("helpful")
    if vote not in ("yes", "no"):
        messages.error(request, _("请选择“有帮助”或“没帮助”"))
        return redirect("knowledge:detail", entry_id=entry_id)
    services.entry_feedback(entry_id, helpful=vote == "yes", actor=request.user)
    messages.success(request, _("感谢您的反馈"))
    return redirect("knowledge:detail", entry_id=entry_id)
