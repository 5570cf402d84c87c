"""Reproducible generator of the routing corpus (``appeals_router corpus``).

Every phrasing in ``topics.TOPICS`` is filled three times with different places, times,
shops, openings and closings. One phrasing of every topic (rotating, so each department
loses about a quarter) goes entirely to the ``heldout`` split: the held-out texts use
wording the model never saw, which keeps the measured accuracy honest.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tongban.interaction.data.topics import TOPICS

SEED = 12345
FILLS_PER_PHRASING = 3

# Streets and compounds per division, so the place matches the division of the appeal.
PLACES: dict[str, tuple[list[str], list[str]]] = {
    "420102": (
        ["江岸区解放大道", "江岸区沿江大道", "江岸区黄浦大街", "江岸区后湖大道", "江岸区台北路"],
        ["百步亭花园", "后湖二村", "塔子湖小区", "永清街还建楼", "黄浦路宿舍"],
    ),
    "420106": (
        ["武昌区中北路", "武昌区武珞路", "武昌区和平大道", "武昌区中山路", "武昌区友谊大道"],
        ["积玉桥小区", "水果湖宿舍", "首义小区", "南湖花园", "徐东新村"],
    ),
    "420100": (
        ["武汉市洪山区珞喻路", "武汉市汉阳区龙阳大道", "武汉市硚口区解放大道", "光谷大道"],
        ["光谷天地小区", "汉阳四新还建小区", "常青花园", "南湖山庄"],
    ),
    "420902": (
        ["孝南区槐荫大道", "孝南区北京路", "孝南区城站路", "孝南区天仙北路"],
        ["孝南书院街小区", "槐荫公园旁小区", "董永路宿舍", "孝南新城花园"],
    ),
    "420900": (
        ["孝感市长征路", "孝感市交通大道", "孝感市乾坤大道", "孝感市玉泉路"],
        ["孝感澴川小区", "孝感城北新村", "孝感天仙花园", "孝感东方名城"],
    ),
    "429005": (
        ["潜江市园林路", "潜江市东风路", "潜江市章华大道", "潜江市江汉路"],
        ["潜江园林小区", "潜江广华新村", "潜江泽口花园", "潜江曹禺公园小区"],
    ),
}
TIMES = [
    "上周三晚上",
    "昨天下午",
    "本月初",
    "前天凌晨",
    "上个周末",
    "最近一个月",
    "今年三月",
    "国庆节期间",
    "端午节前后",
    "每天早上",
    "这几天",
    "去年年底",
]
SHOPS = [
    "好再来",
    "家家乐",
    "金百合",
    "鸿运",
    "老街坊",
    "新时代",
    "益康",
    "福满堂",
    "万佳",
    "天天鲜",
    "阳光",
    "聚源",
]
OPENINGS = [
    "",
    "",
    "您好，",
    "你好，",
    "我是附近的居民，",
    "我想反映一件事：",
    "麻烦问一下，",
    "本人住在这里多年，",
    "打扰了，",
]
CLOSINGS = [
    "",
    "",
    "请相关部门尽快处理。",
    "希望尽快给予答复。",
    "谢谢！",
    "盼回复。",
    "希望有关部门重视。",
    "已经反映多次，请核实。",
]


def _fill(phrasing: str, rng: random.Random, division: str) -> str:
    streets, compounds = PLACES[division]
    text = phrasing.format(
        p=rng.choice(streets) + f"{rng.randint(1, 399)}号",
        c=rng.choice(compounds),
        t=rng.choice(TIMES),
        s=rng.choice(SHOPS),
        n=rng.randint(2, 30),
    )
    return rng.choice(OPENINGS) + text + rng.choice(CLOSINGS)


def _title(titles: list[str], split: str, turn: int) -> str:
    """The last title of a topic is kept for held-out records, so no held-out title was
    seen in training."""
    if split == "heldout":
        return titles[-1]
    return titles[turn % (len(titles) - 1)]


def build_corpus(seed: int = SEED) -> list[dict[str, Any]]:
    """All corpus records, in a fixed order for a fixed seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    divisions = sorted(PLACES)
    records = []
    for department, topics in TOPICS.items():
        for topic_no, (kind, titles, phrasings) in enumerate(topics):
            held_out = topic_no % len(phrasings)
            for phrasing_no, phrasing in enumerate(phrasings):
                split = "heldout" if phrasing_no == held_out else "train"
                for fill_no in range(FILLS_PER_PHRASING):
                    division = rng.choice(divisions)
                    records.append(
                        {
                            "type": kind,
                            "title": _title(titles, split, phrasing_no + fill_no),
                            "content": _fill(phrasing, rng, division),
                            "department": department,
                            "division": division,
                            "split": split,
                            "template": f"{department}/{topic_no}/{phrasing_no}",
                        }
                    )
    return records


def write_corpus(path: Path, seed: int = SEED) -> int:
    """Write the corpus as JSON lines; returns the number of records."""
    records = build_corpus(seed)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(records)
