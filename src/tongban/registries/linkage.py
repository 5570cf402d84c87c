"""Probabilistic record linkage (Fellegi–Sunter) for records without a usable identifier.

Each candidate pair is compared field by field; every comparison lands on a level
(exact, close, different, missing) and each level carries ``m`` (how often true matches
show it) and ``u`` (how often random pairs show it). The match weight is the sum of
``log2(m/u)`` over the fields plus the prior log-odds; the match probability follows.
The m/u values are rule data (setting ``TONGBAN_REGISTRIES_LINKAGE``), not learned at run
time, so a sync links the same way every time (ADR 0017).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from tongban.registries.normalise import LEGAL, PERSON, fold, fold_address

# level -> (m, u); "missing" is always neutral.
DEFAULT_RULES: dict[str, Any] = {
    "prior": 1e-4,
    "threshold": 0.9,
    "fields": {
        "identifier": {
            "exact": (0.9, 1e-7),
            "one_edit": (0.08, 1e-5),
            "two_edits": (0.01, 1e-4),
            "different": (0.01, 0.9999),
        },
        "name": {"exact": (0.88, 1e-3), "close": (0.1, 0.01), "different": (0.02, 0.989)},
        "birth_date": {"exact": (0.95, 3e-4), "different": (0.05, 0.9997)},
        "sex": {"exact": (0.98, 0.5), "different": (0.02, 0.5)},
        "phone": {"exact": (0.6, 1e-5), "different": (0.4, 0.99999)},
        "address": {"exact": (0.7, 0.01), "close": (0.2, 0.05), "different": (0.1, 0.94)},
        "legal_rep_name": {"exact": (0.85, 1e-3), "different": (0.15, 0.999)},
    },
}
FIELDS = {
    PERSON: ("identifier", "name", "birth_date", "sex", "address", "phone"),
    LEGAL: ("identifier", "name", "address", "legal_rep_name"),
}


@dataclass(frozen=True)
class Score:
    probability: float
    weight: float
    levels: dict[str, str] = field(default_factory=dict)


def identifier_level(a: str, b: str) -> str:
    """One wrong digit or two swapped digits is ``one_edit``."""
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    distance = Levenshtein.distance(a, b)
    if distance == 1 or (distance == 2 and _transposed(a, b)):
        return "one_edit"
    return "two_edits" if distance == 2 else "different"


def _transposed(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]


def text_level(a: str, b: str, *, close: float, address: bool = False) -> str:
    if not a or not b:
        return "missing"
    a, b = (fold_address(a), fold_address(b)) if address else (fold(a), fold(b))
    if a == b:
        return "exact"
    return "close" if ratio(a, b) >= close * 100 else "different"


def equal_level(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    return "exact" if a == b else "different"


def compare(kind: str, left: Mapping[str, str], right: Mapping[str, str]) -> dict[str, str]:
    """The comparison level of each field for a pair of normalised records."""
    key = "id_number" if kind == PERSON else "credit_code"
    levels = {"identifier": identifier_level(left.get(key, ""), right.get(key, ""))}
    levels["name"] = text_level(left.get("name", ""), right.get("name", ""), close=0.75)
    levels["address"] = text_level(
        left.get("address", ""), right.get("address", ""), close=0.8, address=True
    )
    if kind == PERSON:
        levels["birth_date"] = equal_level(left.get("birth_date", ""), right.get("birth_date", ""))
        levels["sex"] = equal_level(left.get("sex", ""), right.get("sex", ""))
        levels["phone"] = equal_level(left.get("phone", ""), right.get("phone", ""))
    else:
        levels["legal_rep_name"] = equal_level(
            fold(left.get("legal_rep_name", "")), fold(right.get("legal_rep_name", ""))
        )
    return levels


def score(
    kind: str,
    left: Mapping[str, str],
    right: Mapping[str, str],
    rules: Mapping[str, Any] | None = None,
) -> Score:
    rules = rules or DEFAULT_RULES
    levels = compare(kind, left, right)
    prior = float(rules["prior"])
    weight = math.log2(prior / (1 - prior))
    for name in FIELDS[kind]:
        level = levels.get(name, "missing")
        table = rules["fields"].get(name, {})
        # "close" falls back to "different" for fields that have no close level.
        if level == "close" and "close" not in table:
            level = "different"
        if level == "missing" or level not in table:
            continue
        m, u = table[level]
        weight += math.log2(m / u)
    probability = 1 / (1 + 2 ** (-weight))
    return Score(probability=probability, weight=weight, levels=levels)
