"""The appeal routing classifier: shipped model, honest held-out accuracy, low confidence
on nonsense, the evaluate command and deterministic retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tongban.interaction import classifier
from tongban.interaction.data.corpus import build_corpus

# Measured 0.93 on the shipped corpus; the floor leaves room for harmless retraining noise.
HELDOUT_ACCURACY_FLOOR = 0.85


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return classifier.read_corpus()


def test_shipped_model_matches_the_shipped_corpus() -> None:
    model = classifier.shipped_model()
    assert model["corpus_hash"] == classifier.corpus_hash()
    assert model["classes"] == sorted(classifier.DEPARTMENTS)
    assert 0.5 <= model["temperature"] <= 20


def test_corpus_is_reproducible_and_large_enough(corpus: list[dict]) -> None:
    assert build_corpus() == corpus
    for code in classifier.DEPARTMENTS:
        assert sum(1 for r in corpus if r["department"] == code) >= 60


def test_heldout_shares_no_text_or_template_with_train(corpus: list[dict]) -> None:
    train = [r for r in corpus if r["split"] == "train"]
    held = [r for r in corpus if r["split"] == "heldout"]
    assert 0.2 <= len(held) / len(corpus) <= 0.3
    assert not {r["content"] for r in train} & {r["content"] for r in held}
    assert not {r["template"] for r in train} & {r["template"] for r in held}


def test_heldout_accuracy_is_above_the_floor(corpus: list[dict]) -> None:
    held = [r for r in corpus if r["split"] == "heldout"]
    result = classifier.evaluate(classifier.shipped_model(), held)
    assert result["accuracy"] >= HELDOUT_ACCURACY_FLOOR
    assert result["threshold"]["auto_routed_accuracy"] >= result["accuracy"]


def test_clear_appeals_are_routed_confidently() -> None:
    proposal = classifier.propose("小区门口的饭店卖过期食品，吃了拉肚子，请市场监管部门查处")
    assert proposal.department_code == "scjg"
    assert proposal.auto_routable
    assert proposal.ranking[0][0] == "scjg"
    assert len(proposal.ranking) == 12
    assert sum(p for _c, p in proposal.ranking) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "asdf qwer zxcv 1234",
        "哈哈哈哈哈",
        "今天天气真好，我想去看电影",
        "请问明天几点日出",
    ],
)
def test_nonsense_and_out_of_domain_text_goes_to_the_dispatcher(text: str) -> None:
    proposal = classifier.propose(text)
    assert proposal.confidence < classifier.AUTO_ROUTE_THRESHOLD
    assert not proposal.auto_routable


def test_evaluate_command_writes_the_report(tmp_path: Path) -> None:
    out = StringIO()
    call_command("appeals_router", "evaluate", "--report-dir", str(tmp_path), stdout=out)
    report = (tmp_path / "routing_report.md").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "routing_report.json").read_text(encoding="utf-8"))
    assert "overall accuracy" in report and "Threshold 0.6" in report
    assert data["size"] == data["threshold"]["auto_routed"] + data["threshold"]["to_dispatcher"]
    assert "overall accuracy" in out.getvalue()


def test_retraining_is_deterministic(corpus: list[dict]) -> None:
    train = [r for r in corpus if r["split"] == "train"]
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    first = classifier.train(train, source_hash="x", trained_at=stamp)
    second = classifier.train(train, source_hash="x", trained_at=stamp)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    shipped = json.loads(classifier.MODEL_PATH.read_text(encoding="utf-8"))
    for key in ("vocabulary", "log_prob", "log_prior", "temperature", "classes"):
        assert first[key] == shipped[key]
