"""Appeal routing (诉求智能分拨): propose the city department an appeal belongs to.

A multinomial Naive Bayes model over jieba words and character bigrams, trained on the
shipped corpus (``data/appeals_corpus.jsonl``) and stored as plain JSON
(``data/router_model.json``) — no pickle, no scikit-learn (see ADR 0020). Confidence is a
softmax over the class log-probabilities with a temperature fitted by cross-validation on
the training split, so that ``AUTO_ROUTE_THRESHOLD`` means roughly "right this often".

``propose`` is pure: no database; the model is read once and cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba

MODEL_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_PATH = DATA_DIR / "appeals_corpus.jsonl"
MODEL_PATH = DATA_DIR / "router_model.json"

# Below this confidence an appeal goes to the dispatcher (派单员) instead of a department.
AUTO_ROUTE_THRESHOLD = 0.6

DEPARTMENTS: dict[str, str] = {
    "zsj": "政务服务和大数据管理局",
    "scjg": "市场监督管理局",
    "gaj": "公安局",
    "rsj": "人力资源和社会保障局",
    "zjj": "住房和城乡建设局",
    "sthjj": "生态环境局",
    "jtysj": "交通运输局",
    "wjw": "卫生健康委员会",
    "jyj": "教育局",
    "mzj": "民政局",
    "cgj": "城市管理执法局",
    "xfzd": "消防救援支队",
}

_SMOOTHING = 0.5
_MIN_COUNT = 1
_TEMPERATURES = [t / 10 for t in range(5, 201, 5)]
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
# Words that carry no routing signal in any department: politeness and appeal boilerplate.
_STOPWORDS = frozenset(
    {
        "您好",
        "你好",
        "请问",
        "谢谢",
        "希望",
        "相关",
        "部门",
        "尽快",
        "处理",
        "解决",
        "问题",
        "我们",
        "你们",
        "他们",
        "这个",
        "那个",
        "一下",
        "现在",
        "已经",
        "还是",
        "没有",
        "什么",
        "怎么",
        "可以",
        "能否",
        "是否",
        "如何",
        "进行",
        "情况",
        "反映",
        "市民",
        "居民",
        "本人",
        "但是",
        "因为",
        "所以",
        "如果",
        "就是",
        "一直",
        "非常",
        "严重",
        "麻烦",
        "感谢",
        "诉求",
        "投诉",
        "咨询",
        "建议",
        "举报",
        "求助",
    }
)


@dataclass(frozen=True)
class Proposal:
    """A routing proposal: the most likely department and the full ranking."""

    department_code: str
    confidence: float
    ranking: list[tuple[str, float]]

    @property
    def auto_routable(self) -> bool:
        """Confident enough to send straight to the department, not to the dispatcher."""
        return self.confidence >= AUTO_ROUTE_THRESHOLD


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def features(text: str) -> list[str]:
    """Feature tokens of ``text``: jieba words (2+ characters, no stopwords) plus Chinese
    character bigrams, which catch words jieba's dictionary splits differently."""
    lowered = (text or "").lower()
    found: list[str] = []
    for phrase in _WORD.findall(lowered):
        for word in _tokenizer().lcut(phrase):
            if len(word) >= 2 and word not in _STOPWORDS and not word.isdigit():
                found.append(word)
    for run in _HAN_RUN.findall(lowered):
        found.extend("#" + run[i : i + 2] for i in range(len(run) - 1))
    return found


def appeal_text(record: dict[str, Any]) -> str:
    """The text the model reads for a corpus record: title and content."""
    return f"{record.get('title', '')}\n{record.get('content', '')}"


# --- training ---------------------------------------------------------------------------


def _fit_counts(
    docs: Sequence[tuple[list[str], str]], min_count: int = _MIN_COUNT
) -> dict[str, Any]:
    classes = sorted({label for _tokens, label in docs})
    totals: Counter[str] = Counter()
    for tokens, _label in docs:
        totals.update(tokens)
    vocabulary = sorted(t for t, n in totals.items() if n >= min_count)
    index = {t: i for i, t in enumerate(vocabulary)}
    counts = {c: [0.0] * len(vocabulary) for c in classes}
    doc_counts: Counter[str] = Counter()
    for tokens, label in docs:
        doc_counts[label] += 1
        row = counts[label]
        for token in tokens:
            if token in index:
                row[index[token]] += 1
    n_docs = len(docs)
    log_prior = {c: math.log(doc_counts[c] / n_docs) for c in classes}
    log_prob = {}
    for c in classes:
        total = sum(counts[c]) + _SMOOTHING * len(vocabulary)
        log_prob[c] = [round(math.log((n + _SMOOTHING) / total), 6) for n in counts[c]]
    return {
        "classes": classes,
        "vocabulary": vocabulary,
        "log_prior": {c: round(v, 6) for c, v in log_prior.items()},
        "log_prob": log_prob,
    }


def _log_scores(model: dict[str, Any], tokens: Iterable[str]) -> dict[str, float]:
    index = model.get("_index")
    if index is None:
        index = {t: i for i, t in enumerate(model["vocabulary"])}
    known = [index[t] for t in tokens if t in index]
    scores = {}
    for c in model["classes"]:
        row = model["log_prob"][c]
        scores[c] = model["log_prior"][c] + sum(row[i] for i in known)
    return scores


def _softmax(scores: dict[str, float], temperature: float) -> dict[str, float]:
    top = max(scores.values())
    exps = {c: math.exp((s - top) / temperature) for c, s in scores.items()}
    total = sum(exps.values())
    return {c: v / total for c, v in exps.items()}


def _fit_temperature(held: list[tuple[dict[str, float], str]]) -> float:
    """The softmax temperature minimising the log-loss on out-of-fold scores."""

    def loss(t: float) -> float:
        return -sum(math.log(max(_softmax(s, t)[label], 1e-12)) for s, label in held)

    return min(_TEMPERATURES, key=loss)


def _out_of_fold_scores(
    records: Sequence[dict[str, Any]], folds: int = 4
) -> list[tuple[dict[str, float], str]]:
    """Scores for each training record from a model that never saw its template, so the
    temperature is fitted on the same kind of novelty the held-out split measures."""
    templates = sorted({r.get("template", appeal_text(r)) for r in records})
    fold_of = {t: i % folds for i, t in enumerate(templates)}
    out: list[tuple[dict[str, float], str]] = []
    for fold in range(folds):
        train = [r for r in records if fold_of[r.get("template", appeal_text(r))] != fold]
        test = [r for r in records if fold_of[r.get("template", appeal_text(r))] == fold]
        if not train or not test:
            continue
        model = _fit_counts([(features(appeal_text(r)), r["department"]) for r in train])
        model["_index"] = {t: i for i, t in enumerate(model["vocabulary"])}
        out.extend((_log_scores(model, features(appeal_text(r))), r["department"]) for r in test)
    return out


def corpus_hash(path: Path = CORPUS_PATH) -> str:
    """SHA-256 of the corpus file, stored in the model so a stale model is detectable."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_corpus(path: Path = CORPUS_PATH) -> list[dict[str, Any]]:
    """The corpus records, one JSON object per line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def train(
    records: Sequence[dict[str, Any]], *, source_hash: str, trained_at: datetime | None = None
) -> dict[str, Any]:
    """Fit the model on ``records`` (the train split) and return it as a JSON-able dict."""
    model = _fit_counts([(features(appeal_text(r)), r["department"]) for r in records])
    temperature = _fit_temperature(_out_of_fold_scores(records))
    stamp = trained_at or datetime.now(UTC)
    return {
        "version": MODEL_VERSION,
        "trained_at": stamp.isoformat(timespec="seconds"),
        "corpus_hash": source_hash,
        "train_size": len(records),
        "temperature": temperature,
        "threshold": AUTO_ROUTE_THRESHOLD,
        **model,
    }


def dump_model(model: dict[str, Any], path: Path = MODEL_PATH) -> None:
    """Write the model as stable, diff-friendly JSON."""
    text = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


# --- prediction -------------------------------------------------------------------------


def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    """Read a model file and index its vocabulary for prediction."""
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if model.get("version") != MODEL_VERSION:
        raise ValueError(f"unsupported router model version {model.get('version')!r}")
    model["_index"] = {t: i for i, t in enumerate(model["vocabulary"])}
    return model


@lru_cache(maxsize=1)
def shipped_model() -> dict[str, Any]:
    """The model shipped with the package, read once per process."""
    return load_model(MODEL_PATH)


def propose_with(model: dict[str, Any], text: str) -> Proposal:
    """The proposal of ``model`` for ``text``.

    Text with no known feature (empty, gibberish, foreign) gets a uniform ranking, so its
    confidence is 1/12 and it always goes to the dispatcher.
    """
    tokens = [t for t in features(text) if t in model["_index"]]
    classes = model["classes"]
    if not tokens:
        uniform = 1 / len(classes)
        # The 12345 centre itself (zsj) is the natural owner of an unreadable appeal.
        fallback = "zsj" if "zsj" in classes else classes[0]
        return Proposal(fallback, uniform, [(c, uniform) for c in classes])
    probs = _softmax(_log_scores(model, tokens), model["temperature"])
    ranking = sorted(probs.items(), key=lambda item: (-item[1], item[0]))
    return Proposal(ranking[0][0], ranking[0][1], ranking)


def propose(text: str) -> Proposal:
    """Propose the city department for an appeal's text (title and content)."""
    return propose_with(shipped_model(), text)


# --- evaluation -------------------------------------------------------------------------


def evaluate(
    model: dict[str, Any],
    records: Sequence[dict[str, Any]],
    threshold: float = AUTO_ROUTE_THRESHOLD,
) -> dict[str, Any]:
    """Accuracy, per-department precision/recall, worst confusions and the threshold
    analysis of ``model`` on ``records`` (the held-out split)."""
    if "_index" not in model:
        model = {**model, "_index": {t: i for i, t in enumerate(model["vocabulary"])}}
    pairs = [(r["department"], propose_with(model, appeal_text(r))) for r in records]
    total = len(pairs)
    correct = sum(1 for truth, p in pairs if p.department_code == truth)
    confusion: Counter[tuple[str, str]] = Counter(
        (truth, p.department_code) for truth, p in pairs if p.department_code != truth
    )
    per_department = {}
    for code in model["classes"]:
        actual = [p for truth, p in pairs if truth == code]
        predicted = [truth for truth, p in pairs if p.department_code == code]
        hits = sum(1 for p in actual if p.department_code == code)
        per_department[code] = {
            "support": len(actual),
            "precision": round(hits / len(predicted), 4) if predicted else 0.0,
            "recall": round(hits / len(actual), 4) if actual else 0.0,
        }
    auto = [(truth, p) for truth, p in pairs if p.confidence >= threshold]
    auto_correct = sum(1 for truth, p in auto if p.department_code == truth)
    wrong = [p for truth, p in pairs if p.department_code != truth]
    wrong_low = sum(1 for p in wrong if p.confidence < threshold)
    return {
        "size": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "per_department": per_department,
        "worst_confusions": [
            {"actual": a, "predicted": b, "count": n} for (a, b), n in confusion.most_common(8)
        ],
        "threshold": {
            "value": threshold,
            "auto_routed": len(auto),
            "auto_routed_share": round(len(auto) / total, 4) if total else 0.0,
            "auto_routed_accuracy": round(auto_correct / len(auto), 4) if auto else 0.0,
            "to_dispatcher": total - len(auto),
            "wrong": len(wrong),
            "wrong_below_threshold": wrong_low,
            "wrong_below_threshold_share": round(wrong_low / len(wrong), 4) if wrong else 1.0,
        },
    }
