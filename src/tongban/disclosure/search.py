"""Chinese full-text search of publications: jieba terms, a BM25-like score and
highlighted snippets (the generic parts live in ``tongban.core.textsearch``). Indexing and
querying both go through ``terms`` so they agree."""

from __future__ import annotations

from collections import Counter

from tongban.core.textsearch import MAX_QUERY_TERMS, MAX_TERM, bm25, snippet, terms, words

__all__ = [
    "MAX_QUERY_TERMS",
    "MAX_TERM",
    "TITLE_WEIGHT",
    "bm25",
    "document_terms",
    "snippet",
    "terms",
]

TITLE_WEIGHT = 3  # a title word counts as three body words


def document_terms(*, title: str, summary: str, body: str) -> Counter[str]:
    """Weighted term frequencies of a publication; their sum is its length."""
    counts: Counter[str] = Counter()
    for word in words(title):
        counts[word] += TITLE_WEIGHT
    counts.update(words(summary))
    counts.update(words(body))
    return counts
