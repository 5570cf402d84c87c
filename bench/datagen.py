"""Supervision records (clocks, ratings, rectifications), appeals and exchange log records
without case rows, for the decision-support benchmark and tests: the product's generator
(``tongban.demo.generate``, ``tongban generate``) with ``case_rows=False``, whose figures
never read the cases themselves."""

from __future__ import annotations

from typing import Any

from tongban.demo.generate import ITEMS, Generated
from tongban.demo.generate import generate as _generate

__all__ = ["ITEMS", "Generated", "generate"]


def generate(**options: Any) -> Generated:
    return _generate(case_rows=False, persons=0, **options)
