"""The licence benchmark at a tiny size: structure and the report table, not timing."""

from __future__ import annotations

import pytest
from bench.licences import measure_licences
from bench.report import _licences_table

from tongban.licences.models import Licence

pytestmark = pytest.mark.django_db


def test_licence_benchmark_issues_and_verifies_every_licence(demo):
    result = measure_licences(3, progress=lambda _line: None)
    assert Licence.objects.count() == 4  # one to create the key, three measured
    assert result["algorithm"] == "SM2-SM3"
    for key in ("issue", "sign_only", "verify_online", "verify_offline", "verify_only"):
        assert result[key]["ops"] == 3 and result[key]["per_s"] > 0
    table = _licences_table({"sqlite": {"licences": result}})
    assert table[-1].startswith("| sqlite | SM2-SM3 | 3 |")
