"""Chinese full-text search helpers shared by the apps that index text (公开信息, 公文):
jieba search-mode words, query terms, a BM25 score and highlighted snippets. Indexing and
querying both go through :func:`words` / :func:`terms` so that they agree."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re
from functools import lru_cache

import jieba
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed

MAX_TERM = 40
MAX_QUERY_TERMS = 12
K1, B = 1.2, 0.75
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """One initialised jieba tokenizer per process (loading the dictionary is slow)."""
    jieba.setLogLevel(logging.WARNING)
    instance = jieba.Tokenizer()
    instance.initialize()
    return instance


def words(text: str) -> list[str]:
    """Every jieba search-mode word of ``text`` (with repeats); single characters dropped."""
    found: list[str] = []
    for phrase in _WORD.findall((text or "").lower()):
        for word in tokenizer().cut_for_search(phrase):
            if len(word.strip()) >= 2:
                found.append(word.strip()[:MAX_TERM])
    return found


def terms(text: str) -> list[str]:
    """The distinct terms of a query, in order."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]


def score_cursor_decode(cursor: str) -> tuple[float, int]:
    """The (score, id) a page of ranked hits ends at, from its opaque cursor."""
    try:
        score, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return float(score), int(pk)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(_("分页参数无效"), field="cursor") from None


def score_cursor_encode(score: float, pk: int) -> str:
    """The opaque cursor of the next page of ranked hits (keyset over score and id)."""
    return base64.urlsafe_b64encode(json.dumps([score, pk]).encode()).decode()


def bm25(*, tf: int, df: int, total: int, length: int, average: float) -> float:
    idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
    norm = K1 * (1 - B + B * length / max(average, 1.0))
    return idf * tf * (K1 + 1) / (tf + norm)


def snippet(text: str, found: list[str], *, width: int = 80) -> SafeString:
    """A piece of ``text`` around the first matching word, matches wrapped in ``<mark>``."""
    lowered = text.lower()
    hits = [lowered.find(w) for w in found if w and lowered.find(w) >= 0]
    start = max(0, min(hits) - width // 4) if hits else 0
    piece = text[start : start + width]
    html = str(escape(piece))
    # One alternation, longest first, so a word inside a longer match is not marked twice.
    alternatives = sorted({str(escape(w)) for w in found if w}, key=len, reverse=True)
    if alternatives:
        pattern = re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)
        html = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", html)
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - the text was escaped above
