"""Registers the demo BPMN processes (src/tongban/demo/processes/*.bpmn) with their DMN
decision tables (``<process file stem>.<decision>.dmn`` beside the process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tongban.workflow.services import process_register

PROCESS_DIR = Path(__file__).parent / "processes"


def load_processes(progress: Callable[[str], None]) -> int:
    files = sorted(PROCESS_DIR.glob("*.bpmn"))
    for path in files:
        decisions = sorted(PROCESS_DIR.glob(f"{path.stem}.*.dmn"))
        process_register(
            bpmn_xml=path.read_text(encoding="utf-8"),
            dmn_xmls=[dmn.read_text(encoding="utf-8") for dmn in decisions],
        )
    progress(f"  processes: {len(files)}")
    return len(files)
