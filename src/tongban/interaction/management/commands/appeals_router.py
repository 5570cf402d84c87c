"""``tongban manage appeals_router corpus|train|evaluate``: regenerate the routing corpus,
train the shipped JSON model on its train split, evaluate it on the held-out split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.interaction import classifier
from tongban.interaction.data.corpus import write_corpus


class Command(BaseCommand):
    help = "Appeal routing classifier: generate the corpus, train the model, evaluate it."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["corpus", "train", "evaluate"])
        parser.add_argument("--corpus", default=str(classifier.CORPUS_PATH))
        parser.add_argument("--model", default=str(classifier.MODEL_PATH))
        parser.add_argument(
            "--report-dir", default=str(classifier.DATA_DIR), help="where routing_report.* go"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        corpus, model = Path(options["corpus"]), Path(options["model"])
        action = options["action"]
        if action == "corpus":
            count = write_corpus(corpus)
            self.stdout.write(f"wrote {count} appeals to {corpus}")
        elif action == "train":
            self._train(corpus, model)
        else:
            self._evaluate(corpus, model, Path(options["report_dir"]))

    def _records(self, corpus: Path, split: str) -> list[dict[str, Any]]:
        if not corpus.is_file():
            raise CommandError(f"corpus not found: {corpus} (run `appeals_router corpus`)")
        records = [r for r in classifier.read_corpus(corpus) if r.get("split") == split]
        self.stdout.write(f"read {len(records)} {split} appeals from {corpus}")
        return records

    def _train(self, corpus: Path, model_path: Path) -> None:
        records = self._records(corpus, "train")
        self.stdout.write("fitting Naive Bayes and calibrating the temperature ...")
        model = classifier.train(records, source_hash=classifier.corpus_hash(corpus))
        classifier.dump_model(model, model_path)
        self.stdout.write(
            f"wrote {model_path}: {len(model['vocabulary'])} features, "
            f"{len(model['classes'])} departments, temperature {model['temperature']}"
        )

    def _evaluate(self, corpus: Path, model_path: Path, report_dir: Path) -> None:
        if not model_path.is_file():
            raise CommandError(f"model not found: {model_path} (run `appeals_router train`)")
        model = classifier.load_model(model_path)
        if model["corpus_hash"] != classifier.corpus_hash(corpus):
            self.stderr.write("warning: the model was trained on another corpus version")
        records = self._records(corpus, "heldout")
        result = classifier.evaluate(model, records)
        result["model_trained_at"] = model["trained_at"]
        result["corpus_hash"] = model["corpus_hash"]
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "routing_report.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        markdown = render_report(result)
        (report_dir / "routing_report.md").write_text(markdown, encoding="utf-8")
        self.stdout.write(markdown)
        self.stdout.write(f"wrote {report_dir / 'routing_report.md'} and .json")


def render_report(result: dict[str, Any]) -> str:
    """The evaluation as a Markdown report."""
    t = result["threshold"]
    lines = [
        "# Appeal routing: held-out evaluation",
        "",
        f"- held-out appeals: {result['size']} (templates never seen in training)",
        f"- overall accuracy: {result['accuracy']:.1%}",
        f"- corpus hash: `{result['corpus_hash'][:16]}`",
        "",
        f"## Threshold {t['value']}",
        "",
        f"- auto-routed to a department: {t['auto_routed']} ({t['auto_routed_share']:.1%}), "
        f"accuracy among them {t['auto_routed_accuracy']:.1%}",
        f"- sent to the dispatcher (low confidence): {t['to_dispatcher']}",
        f"- wrong predictions: {t['wrong']}, of which below the threshold (caught by the "
        f"dispatcher): {t['wrong_below_threshold']} ({t['wrong_below_threshold_share']:.1%})",
        "",
        "## Per department",
        "",
        "| department | held-out | precision | recall (accuracy) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for code, row in sorted(result["per_department"].items()):
        name = classifier.DEPARTMENTS.get(code, code)
        lines.append(
            f"| {code} {name} | {row['support']} | {row['precision']:.1%} | {row['recall']:.1%} |"
        )
    lines += [
        "",
        "## Worst confusions",
        "",
        "| actual | predicted | count |",
        "| --- | --- | ---: |",
    ]
    lines += [
        f"| {c['actual']} | {c['predicted']} | {c['count']} |" for c in result["worst_confusions"]
    ]
    return "\n".join(lines) + "\n"
