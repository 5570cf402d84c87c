"""Found versus planted: checks reconciliation against the demo sources' manifest.

The demo legacy generator (``tongban.demo.legacy``) writes ``manifest.json``; its
``planted`` object lists, per category, entries whose ``ids`` name the rows involved in
each source (``{"gongan": [RYBH...], "scjg": [NBXH...], "rsj": [个人编号...]}``). Each
entry is checked against what reconciliation did to those rows. The file is read
defensively: a category we do not know is listed as unmapped, never fatal.

Categories and what "found" means:

- ``name_variants``: the rows (spelled 張三 / 张 三 / "张三 ") sit on one golden record;
  for a representative's name in 市场监管, the enterprise's representative is that person.
- ``duplicates``: the rows of one source (one with a mistyped or missing identifier) sit on
  one golden record, so the report lists them as an in-source duplicate.
- ``address_conflicts``: an address conflict holds the rows of both sources.
- ``stale_persons``: a status conflict (cancelled / active) holds the household-register row.
- ``stale_enterprises``: a status conflict (deregistered / active) holds the enterprise row.
- ``legal_representatives``: the enterprise's representative is linked to the person.

``extra`` counts findings of the same kind that no entry planted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tongban.registries.selectors import Report

Ref = tuple[str, str]
KNOWN = (
    "name_variants",
    "duplicates",
    "address_conflicts",
    "stale_persons",
    "stale_enterprises",
    "legal_representatives",
)


@dataclass
class Row:
    category: str
    planted: int = 0
    found: int = 0
    missed: int = 0
    extra: int = 0
    unmapped: bool = False

    @property
    def found_share(self) -> float:
        return self.found / self.planted if self.planted else 1.0


def load(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The manifest's planted entries per category."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    planted = data.get("planted", data) if isinstance(data, dict) else {}
    if not isinstance(planted, dict):
        raise ValueError("manifest has no 'planted' object")
    return {
        str(name): [e for e in entries if isinstance(e, dict)]
        for name, entries in planted.items()
        if isinstance(entries, list)
    }


def refs(entry: dict[str, Any]) -> dict[str, list[Ref]]:
    """The rows an entry names, per source."""
    ids = entry.get("ids")
    out: dict[str, list[Ref]] = {}
    if isinstance(ids, dict):
        for source, keys in ids.items():
            values = keys if isinstance(keys, list) else [keys]
            out[str(source)] = [(str(source), str(k)) for k in values if k not in (None, "")]
    return out


def _entities(report: Report, wanted: list[Ref]) -> set[int | None]:
    return {report.entity_of.get(ref) for ref in wanted}


def _one_entity(report: Report, wanted: list[Ref]) -> bool:
    found = _entities(report, wanted)
    return len(wanted) > 1 and len(found) == 1 and None not in found


def _rep_linked(report: Report, by_source: dict[str, list[Ref]]) -> bool:
    person = _entities(report, by_source.get("gongan", []))
    enterprise = _entities(report, by_source.get("scjg", []))
    if len(person) != 1 or len(enterprise) != 1 or None in person | enterprise:
        return False
    (legal_id,) = enterprise
    return legal_id is not None and report.legal_rep_of.get(legal_id) in person


def _in_conflict(report: Report, attribute: str, wanted: list[Ref]) -> bool:
    return any(
        attr == attribute and set(wanted) <= group
        for attr, _entity, group in report.conflict_groups
    )


def _found(report: Report, category: str, entry: dict[str, Any]) -> bool:
    by_source = refs(entry)
    every = [ref for rows in by_source.values() for ref in rows]
    if category == "name_variants":
        if "scjg" in by_source:
            return _rep_linked(report, by_source)
        return _one_entity(report, every)
    if category == "duplicates":
        return _one_entity(report, every) and set(every) <= report.duplicate_records
    if category == "address_conflicts":
        return _in_conflict(report, "address", every)
    if category == "stale_persons":
        return _in_conflict(report, "status", by_source.get("gongan", []))
    if category == "stale_enterprises":
        return _in_conflict(report, "status", by_source.get("scjg", []))
    if category == "legal_representatives":
        return _rep_linked(report, by_source)
    return False


def _extra(report: Report, category: str, entries: list[dict[str, Any]]) -> int:
    """Findings of the category's kind that no entry of the category accounts for."""
    planted: set[Ref] = set()
    for entry in entries:
        for rows in refs(entry).values():
            planted.update(rows)
    if category == "duplicates":
        return len(report.duplicate_records - planted)
    if category in {"address_conflicts", "stale_persons", "stale_enterprises"}:
        attribute = "address" if category == "address_conflicts" else "status"
        kind = "legal" if category == "stale_enterprises" else "person"
        return sum(
            1
            for attr, entity_id, group in report.conflict_groups
            if attr == attribute and report.kind_of.get(entity_id) == kind and not group & planted
        )
    if category == "legal_representatives":
        planted_legal = {report.entity_of.get(ref) for ref in planted if ref[0] == "scjg"}
        return sum(1 for legal_id in report.legal_rep_of if legal_id not in planted_legal)
    return 0


def compare(report: Report, manifest: dict[str, list[dict[str, Any]]]) -> list[Row]:
    """Per category: planted, found, missed and extra (see the module docstring).
    ``report`` must have been built with ``details=True``."""
    rows = []
    for category, entries in manifest.items():
        row = Row(category, planted=len(entries), unmapped=category not in KNOWN)
        if not row.unmapped:
            row.found = sum(1 for entry in entries if _found(report, category, entry))
            row.extra = _extra(report, category, entries)
        row.missed = row.planted - row.found
        rows.append(row)
    return rows


def table(rows: list[Row]) -> str:
    lines = [f"{'category':<24}{'planted':>8}{'found':>8}{'missed':>8}{'extra':>8}"]
    for row in rows:
        label = row.category + (" (unmapped)" if row.unmapped else "")
        lines.append(f"{label:<24}{row.planted:>8}{row.found:>8}{row.missed:>8}{row.extra:>8}")
    return "\n".join(lines)
