"""A unit's recorded count is what the file holds, whether counted as rows arrive or by a scan."""

from __future__ import annotations

import sqlite3

from migrator.v2.store import InventoryWriter, Unit, UnitKind, UnitState

ASSETS = Unit(UnitKind.ENTITY_SET, "Assets")
TASK_TEMPLATES = Unit(UnitKind.ENTITY_SET, "TaskTemplates")


def _rows_in_file(partial, entity_set: str) -> int:
    conn = sqlite3.connect(partial)
    try:
        return conn.execute("SELECT COUNT(*) FROM entities WHERE entity_set = ?", (entity_set,)).fetchone()[0]
    finally:
        conn.close()


def test_the_count_of_a_set_read_with_duplicates_is_its_distinct_rows(tmp_path):
    partial = tmp_path / "inv.db.partial"
    writer = InventoryWriter.create(partial, endpoint="e", api_version="2.19", wire_format="verbose", units=[ASSETS])
    writer.add_entities("Assets", [("a", "{}")])  # left by an interrupted attempt: begin_unit empties the set
    writer.begin_unit(ASSETS)
    writer.add_entities("Assets", [("b", "{}"), ("c", "{}")])
    writer.add_entities("Assets", [("c", "{}"), ("d", "{}")])  # c again: skip paging repeated it
    assert writer.complete_unit(ASSETS) == 3
    writer.close()
    assert _rows_in_file(partial, "Assets") == 3


def test_a_set_filled_in_an_earlier_run_is_counted_from_the_file(tmp_path):
    partial = tmp_path / "inv.db.partial"
    units = [ASSETS, TASK_TEMPLATES]
    first = InventoryWriter.create(partial, endpoint="e", api_version="2.19", wire_format="verbose", units=units)
    first.begin_unit(TASK_TEMPLATES)
    first.add_entities("TaskTemplates", [("t1", "{}"), ("t2", "{}")])
    first.complete_unit(TASK_TEMPLATES, UnitState.UNAVAILABLE)
    first.close()
    resumed = InventoryWriter.resume(partial, endpoint="e", units=units)
    resumed.add_entities("TaskTemplates", [("t2", "{}"), ("t3", "{}")])  # collected through a navigation
    assert resumed.complete_unit(TASK_TEMPLATES, UnitState.UNAVAILABLE) == 3
    resumed.close()
