"""Template context every page needs: language tag, elderly mode, the province root."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

ELDERLY_COOKIE = "tb_elderly"
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}


def portal_context(request: HttpRequest) -> dict[str, object]:
    language = get_language() or "zh-hans"
    return {
        "html_lang": HTML_LANG.get(language, language),
        "elderly_mode": request.COOKIES.get(ELDERLY_COOKIE) == "1",
    }
