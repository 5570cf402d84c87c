"""Chinese word segmentation (jieba) for the resource catalog's search index.

Indexing and querying both go through ``terms`` so that they agree.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

import jieba

MAX_TERM = 40
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def terms(text: str) -> list[str]:
    """jieba search-mode words of ``text`` plus each short phrase whole; single characters
    are dropped."""
    found: list[str] = []
    for phrase in _WORD.findall((text or "").lower()):
        if 2 <= len(phrase) <= 12:
            found.append(phrase[:MAX_TERM])
        for word in _tokenizer().cut_for_search(phrase):
            word = word.strip()
            if len(word) >= 2:
                found.append(word[:MAX_TERM])
    return list(dict.fromkeys(found))


def weighted_terms(parts: Iterable[tuple[str, int]]) -> dict[str, int]:
    weights: dict[str, int] = {}
    for text, weight in parts:
        for term in terms(text):
            if weights.get(term, 0) < weight:
                weights[term] = weight
    return weights
