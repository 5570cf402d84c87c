"""The ground truth of a legacy build: what was planted where, written as manifest.json.

Every planted entry carries ``ids``: for each source it touches, the row keys there
(``gongan`` = T_RK_JBXX.RYBH, ``scjg`` = QY_JBXX.NBXH, ``rsj`` = 个人编号), always lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
CATEGORIES = (
    "name_variants",
    "address_conflicts",
    "stale_persons",
    "stale_enterprises",
    "duplicates",
    "legal_representatives",
)
SOURCES = ("gongan", "scjg", "rsj")

Entry = dict[str, Any]


@dataclass
class Manifest:
    generator_version: str
    seed: int
    reference_date: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    planted: dict[str, list[Entry]] = field(default_factory=dict)
    info: dict[str, int] = field(default_factory=dict)
    built: bool = True  # False when build() found an up-to-date build and skipped it

    def add(self, category: str, entry: Entry) -> None:
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category}")
        self.planted.setdefault(category, []).append(entry)

    @property
    def counts(self) -> dict[str, int]:
        """Entries per category, and per category/kind where the entries have kinds."""
        counts: dict[str, int] = {}
        for category in CATEGORIES:
            entries = self.planted.get(category, [])
            counts[category] = len(entries)
            for entry in entries:
                if "kind" in entry:
                    parts = [category, entry.get("source", ""), entry["kind"]]
                    key = ".".join(part for part in parts if part)
                    counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def entries(self, category: str) -> list[Entry]:
        return self.planted.get(category, [])

    def bad_identifier_count(self, source: str, kind: str) -> int:
        """How many rows of ``source`` carry a planted mistyped or missing identifier."""
        return sum(
            1
            for entry in self.entries("duplicates")
            if entry["source"] == source and entry["kind"] == kind
        )

    def to_json(self) -> str:
        payload = {
            "generator_version": self.generator_version,
            "seed": self.seed,
            "reference_date": self.reference_date,
            "files": self.files,
            "counts": self.counts,
            "info": self.info,
            "planted": {c: self.planted.get(c, []) for c in CATEGORIES},
        }
        return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    def write(self, directory: Path) -> Path:
        path = directory / MANIFEST_NAME
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        payload = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        return cls(
            generator_version=payload["generator_version"],
            seed=payload["seed"],
            reference_date=payload["reference_date"],
            files=payload["files"],
            planted=payload["planted"],
            info=payload.get("info", {}),
            built=False,
        )

    def sort(self) -> None:
        for category, entries in self.planted.items():
            self.planted[category] = sorted(
                entries, key=lambda e: json.dumps(e, ensure_ascii=False, sort_keys=True)
            )
