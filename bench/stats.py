"""Summary statistics shared by the measurements and the report (no Django imports)."""

from __future__ import annotations

from typing import Any


def statistic(metric: str) -> str:
    """Times are summarised by their median (the machine may be shared: outliers), counts
    and bytes by their mean."""
    return "median" if metric.endswith("ms") else "mean"


def growth(results: list[dict[str, Any]], metric: str) -> float:
    """How much a per-step figure grew from the smallest to the largest process."""
    ordered = sorted(results, key=lambda r: r["k"])
    stat = statistic(metric)
    first, last = ordered[0]["per_step"][metric][stat], ordered[-1]["per_step"][metric][stat]
    return last / first if first else float("inf")


GROWTH_METRICS = (
    "ms",
    "task_rows_written",
    "state_bytes",
    "all_write_bytes",
    "whole_bytes",
    "whole_bytes_without_spec",
    "whole_ms",
    "engine_restore_ms",
    "task_rows_total",
)


# Per-step figures kept for every step in the recorded results (the rest only as summaries).
SAMPLE_COLUMNS = (
    "ms",
    "task_rows_written",
    "state_bytes",
    "all_write_bytes",
    "whole_bytes",
    "whole_ms",
    "engine_restore_ms",
)


def compact(steps: dict[str, Any]) -> dict[str, Any]:
    """Recorded form of :func:`bench.steps.measure_sizes`: per-step samples as a few columns
    instead of one record per step, growth recomputed from the summaries."""
    for data in steps["shapes"].values():
        for run in data["runs"]:
            samples = run.pop("samples", None)
            if samples is not None:
                run["sample_columns"] = {c: [s[c] for s in samples] for c in SAMPLE_COLUMNS}
        data["growth"] = {metric: growth(data["runs"], metric) for metric in GROWTH_METRICS}
    return steps
