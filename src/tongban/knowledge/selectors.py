"""Reads of the knowledge base: BM25 search over entries, catalog guides, entry pages."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jieba
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.catalog.selectors import ServiceFilter, item_get, service_search
from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.pagination import MAX_PAGE_SIZE, Page, keyset_page
from tongban.knowledge.models import Entry, EntryStatus, EntryTerm

MAX_QUERY_TERMS = 20
MAX_TERM = 40
TOP_ENTRIES = 5
TOP_GUIDES = 3
# BM25 parameters (the usual defaults); MIN_SCORE keeps one weak common word from
# passing for an answer, so "nothing fits" can be said plainly.
BM25_K1 = 1.2
BM25_B = 0.75
MIN_SCORE = 1.0
RELATIVE_CUTOFF = 0.25

_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Bigrams with these characters come from question phrasing (什么证, 怎么办), not topics.
_QUESTION_CHARS = frozenset("么什哪吗呢怎些")
WORD_FACTOR = 2
# Question words match every entry; they would only add noise to the ranking.
_STOPWORDS = frozenset(
    {"怎么", "怎么办", "如何", "什么", "哪里", "哪些", "需要", "可以", "是否", "请问", "办理",
     "多少", "多久", "一下", "我们", "我想", "能否", "能不能", "的话"}
)  # fmt: skip


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def term_weights(text: str) -> Counter[str]:
    """Search terms of ``text`` with their frequency: jieba search-mode words (2+
    characters, no question words) count double, character bigrams once. Bigrams catch
    what jieba leaves as single characters (丢了, 换领) and compounds it splits differently;
    weighting them lower keeps whole words decisive."""
    found: Counter[str] = Counter()
    for phrase in _WORD.findall((text or "").lower()):
        words = [w.strip()[:MAX_TERM] for w in _tokenizer().cut_for_search(phrase)]
        for word in words:
            if len(word) >= 2 and word not in _STOPWORDS:
                found[word] += WORD_FACTOR
        known = set(words)
        for run in _HAN_RUN.findall(phrase):
            for bigram in (run[i : i + 2] for i in range(len(run) - 1)):
                if bigram not in known and not _QUESTION_CHARS.intersection(bigram):
                    found[bigram] += 1
    return found


def terms(text: str) -> list[str]:
    """The distinct search terms of a query, words first."""
    return [t for t, _n in term_weights(text).most_common()]


@dataclass(frozen=True)
class EntryHit:
    entry: Entry
    score: float


@dataclass(frozen=True)
class GuideHit:
    code: str
    name: str
    department: str
    url: str


@dataclass(frozen=True)
class Answers:
    """What the smart Q&A returns for a question."""

    question: str
    entries: list[EntryHit]
    guides: list[GuideHit]

    @property
    def empty(self) -> bool:
        return not self.entries and not self.guides


def entry_search(query: str, *, limit: int = TOP_ENTRIES) -> list[EntryHit]:
    """Published entries ranked by BM25 over question, keywords and answer (the index
    weights the fields), best first; weak matches are dropped."""
    words = terms(query)[:MAX_QUERY_TERMS]
    if not words:
        return []
    published = Entry.objects.filter(status=EntryStatus.PUBLISHED)
    total = published.count()
    if not total:
        return []
    avg_length = published.aggregate(a=Avg("index_length"))["a"] or 1.0
    rows = EntryTerm.objects.filter(term__in=words, entry__status=EntryStatus.PUBLISHED)
    frequency = dict(rows.values_list("term").annotate(n=Count("id")))
    lengths = dict(
        published.filter(pk__in=rows.values("entry_id")).values_list("pk", "index_length")
    )
    scores: dict[int, float] = defaultdict(float)
    for entry_id, term, weight in rows.values_list("entry_id", "term", "weight"):
        df = frequency[term]
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[entry_id] / avg_length)
        scores[entry_id] += idf * weight * (BM25_K1 + 1) / (weight + norm)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if not ranked or ranked[0][1] < MIN_SCORE:
        return []
    cutoff = ranked[0][1] * RELATIVE_CUTOFF
    kept = [(pk, s) for pk, s in ranked if s >= cutoff][:limit]
    by_id = Entry.objects.select_related("department__division").in_bulk([pk for pk, _s in kept])
    return [EntryHit(by_id[pk], round(s, 3)) for pk, s in kept]


def guide_search(query: str, *, limit: int = TOP_GUIDES) -> list[GuideHit]:
    """Service guides of the catalog that match the question, one per service item."""
    if not query.strip():
        return []
    page = service_search(ServiceFilter(q=query), size=limit * 4)
    hits: dict[str, GuideHit] = {}
    for implementation in page.items:
        item = implementation.item
        if item.code not in hits:
            hits[item.code] = GuideHit(
                code=item.code,
                name=item.name,
                department=f"{implementation.division.name}{implementation.department.name}",
                url=f"/services/{item.code}/",
            )
    return list(hits.values())[:limit]


def answers(query: str) -> Answers:
    """The smart Q&A (智能问答): best knowledge entries and service guides."""
    query = query.strip()
    return Answers(question=query, entries=entry_search(query), guides=guide_search(query))


def entry_get(entry_id: int, *, published_only: bool = True) -> Entry:
    qs = Entry.objects.select_related("department__division", "division")
    if published_only:
        qs = qs.filter(status=EntryStatus.PUBLISHED)
    entry = qs.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("知识条目不存在"), field="id")
    return entry


def entry_links(entry: Entry) -> list[GuideHit]:
    """The entry's related service items as links to their guides."""
    links = []
    for code in entry.item_codes or []:
        try:
            item = item_get(code)
        except NotFound:
            continue
        links.append(GuideHit(code=code, name=item.name, department="", url=f"/services/{code}/"))
    return links


def ask_url(question: str) -> str:
    """Where an unanswered question becomes a consultation appeal (提交咨询)."""
    return "/interaction/appeals/new/?" + urlencode(
        {"type": "consultation", "title": question[:100]}
    )


def entry_exists(question: str) -> bool:
    return Entry.objects.filter(question=question).exists()


def editable_entries(user: Any, *, cursor: str | None = None, size: int = 20) -> Page[Entry]:
    """The entries ``user`` may edit, drafts included, newest first: every entry for a
    system administrator, otherwise those of the departments where the user is head or
    reviewer. Anyone else is refused."""
    grants = staff_roles(user)
    qs = Entry.objects.select_related("department__division")
    if not any(g.role == "sysadmin" for g in grants):
        departments = {g.department_id for g in grants if g.role in ("head", "reviewer")}
        if not departments:
            raise PermissionDenied(_("只有部门负责人、审核人员或系统管理员可以维护知识库"))
        qs = qs.filter(department_id__in=departments)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=max(1, min(size, MAX_PAGE_SIZE)))
