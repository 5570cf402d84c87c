"""The benchmark's measurement functions at tiny sizes: structure, not timing."""

from __future__ import annotations

import pytest
from bench.cases import measure_completions, measure_submissions
from bench.floor import measure_floor
from bench.stats import compact
from bench.steps import measure_sizes, process_bpmn
from bench.writes import count_writes

from tongban.workflow.engine import process_parse
from tongban.workflow.models import InstanceTask, ProcessInstance
from tongban.workflow.services import process_register, process_start

pytestmark = pytest.mark.django_db

STEP_KEYS = {
    "ms",
    "task_rows_written",
    "task_rows_inserted",
    "task_rows_updated",
    "task_rows_deleted",
    "task_bytes",
    "state_bytes",
    "all_write_rows",
    "all_write_bytes",
    "statements",
    "task_rows_total",
    "whole_bytes",
    "whole_bytes_without_spec",
    "whole_ms",
    "engine_spec_restore_ms",
    "engine_restore_ms",
    "engine_snapshot_ms",
    "engine_digest_ms",
}


@pytest.mark.parametrize("shape", ["sequential", "parallel"])
def test_generated_processes_parse(shape):
    key, xml = process_bpmn(3, shape)
    assert process_parse(xml).key == key == f"bench_{shape}_3"


def test_the_write_counter_counts_the_rows_a_start_inserts(demo):
    key, xml = process_bpmn(5)
    process_register(bpmn_xml=xml)
    with count_writes() as log:
        instance = process_start(
            key=key, business_type="bench", business_id="1", division_code="420100"
        )
    table = log.table(InstanceTask._meta.db_table)
    assert table.inserted == InstanceTask.objects.filter(instance=instance).count() > 5
    assert table.bytes > 0 and table.updated == table.deleted == 0
    assert log.table(ProcessInstance._meta.db_table).inserted == 1
    assert log.statements > log.table(InstanceTask._meta.db_table).statements


def test_per_step_writes_stay_flat_while_whole_serialisation_grows(demo):
    result = measure_sizes([5, 20], ("sequential", "parallel"))
    assert set(result) == {"sizes", "vendor", "shapes"}
    for shape in ("sequential", "parallel"):
        small, large = result["shapes"][shape]["runs"]
        assert (small["k"], large["k"]) == (5, 20)
        assert small["steps"] == 5 and large["steps"] == 20
        assert set(large["per_step"]) == STEP_KEYS
        assert set(large["ratios"]) == {
            "state_bytes_vs_whole",
            "state_bytes_vs_whole_without_spec",
            "task_rows_written_vs_total",
        }
        assert len(large["samples"]) == 20 and set(large["samples"][0]) == STEP_KEYS
        s, g = small["per_step"], large["per_step"]
        # Delta persistence: a step rewrites about the same rows whatever the process size.
        assert 0 < g["task_rows_written"]["mean"] <= s["task_rows_written"]["mean"] + 2
        assert g["task_rows_written"]["max"] <= s["task_rows_written"]["max"] + 2
        assert g["task_rows_total"]["mean"] > s["task_rows_total"]["mean"]
        assert g["state_bytes"]["mean"] <= s["state_bytes"]["mean"] * 1.5
        # The baseline: serialising the whole workflow grows with the process.
        assert g["whole_bytes"]["mean"] > s["whole_bytes"]["mean"]
        assert large["ratios"]["state_bytes_vs_whole"] < small["ratios"]["state_bytes_vs_whole"] < 1
        assert result["shapes"][shape]["growth"]["whole_bytes"] > 1
    recorded = compact(result)["shapes"]["sequential"]["runs"][1]
    assert "samples" not in recorded and len(recorded["sample_columns"]["state_bytes"]) == 20


def test_flagship_submissions_and_completions(demo_catalog):
    submissions, ids = measure_submissions(2)
    assert len(ids) == 2 and submissions["ops"] == 2
    assert set(submissions["parts"]) == {"create", "materials", "submit"}
    assert submissions["write_rows_per_op"] > 0
    completions = measure_completions(ids)
    assert completions["ops"] == 10
    assert list(completions["phases"]) == [
        "intake",
        "review_market",
        "review_fire",
        "review_environment",
        "final",
    ]


def test_floor(db):
    floor = measure_floor(seconds=0, min_ops=3)
    assert floor["ops"] == 3 and floor["per_s"] > 0
