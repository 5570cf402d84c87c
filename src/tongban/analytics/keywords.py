"""Hot-topic keywords (热点词) of appeal texts.

TF-IDF over jieba's part-of-speech segmentation, keeping nouns, organisation names and
verbal nouns but never person names (``nr``), so a citizen's name in an appeal never
becomes a "hot topic", nor place names (``ns``), which the map by division already
shows; words every appeal uses are stopped.
"""

from __future__ import annotations

import logging
from functools import cache

import jieba
import jieba.analyse

PARTS_OF_SPEECH = ("n", "nz", "nt", "nl", "ng", "vn")
PER_TEXT = 5
STOPWORDS = frozenset(
    [
        "问题",
        "情况",
        "反映",
        "希望",
        "市民",
        "居民",
        "群众",
        "部门",
        "相关",
        "处理",
        "解决",
        "有关",
        "请问",
        "咨询",
        "投诉",
        "建议",
        "求助",
        "举报",
        "工作",
        "人员",
        "时间",
        "地方",
        "事情",
        "政府",
        "单位",
        "小区",
        "电话",
        "谢谢",
        "领导",
        "要求",
        "办理",
        "进行",
        "核实",
        "小时",
        "多次",
        "目前",
        "附近",
        "现在",
    ]
)


@cache
def _extractor() -> jieba.analyse.TFIDF:
    jieba.setLogLevel(logging.WARNING)
    return jieba.analyse.TFIDF()


def extract(text: str) -> list[str]:
    """The few words that characterise ``text`` best, most characteristic first."""
    words = _extractor().extract_tags(
        text, topK=PER_TEXT + len(STOPWORDS), allowPOS=PARTS_OF_SPEECH
    )
    kept = [w for w in words if len(w) >= 2 and w not in STOPWORDS and not w.isdigit()]
    return kept[:PER_TEXT]
