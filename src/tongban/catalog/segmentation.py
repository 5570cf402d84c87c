"""Chinese word segmentation (jieba) shared by indexing and querying, so both agree."""

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
    """Search terms of ``text``: jieba's search-mode words plus each whole short phrase.

    Single characters are dropped (too unspecific), except ASCII digits and letters runs of
    two or more characters, which are kept lower-cased.
    """
    found: list[str] = []
    for phrase in _WORD.findall((text or "").lower()):
        if 2 <= len(phrase) <= 12:
            found.append(phrase)
        for word in _tokenizer().cut_for_search(phrase):
            word = word.strip()
            if len(word) >= 2:
                found.append(word[:MAX_TERM])
    return list(dict.fromkeys(found))


def weighted_terms(parts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Terms of several texts, each term keeping the highest weight it was found with."""
    weights: dict[str, int] = {}
    for text, weight in parts:
        for term in terms(text):
            if weights.get(term, 0) < weight:
                weights[term] = weight
    return weights
