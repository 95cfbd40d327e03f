"""Write the inventory file of a seeded sandbox account straight from the seed (bench setup).

Reading 1M assets over HTTP is the inventory benchmark's job; this one only needs the same
file: every entity parsed into the typed model and stored as its canonical record, every
navigation the reader would read, then the file finished and published like ``migrator inventory``.

    python3 bench/plan/make_inventory.py --assets 100000 --out /tmp/plan-bench/inv-100k.db
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from migrator.sandbox.seed import SeededV2Data
from migrator.sandbox.v2face import render_entity
from migrator.v2 import schema, wire
from migrator.v2.store import InventoryWriter, Unit, UnitKind, canonical_json, partial_path

BATCH = 5000
ROOT = "https://amssource.restv2.westus2.media.azure.net/api/"


def _wire_entities(data, entity_set: str):
    """The set's entities as the sandbox's v2 face sends them (minimal metadata), parsed back."""
    for record in data.iter(entity_set):
        yield wire.parse_entity(entity_set, render_entity(ROOT, entity_set, record, verbose=False))


def write_inventory(seed: int, assets: int, out: Path) -> None:
    data = SeededV2Data(seed, assets)
    units = [Unit(UnitKind.ENTITY_SET, s) for s in schema.ENTITY_SETS]
    units += [Unit(UnitKind.NAVIGATION, n.from_set, n.navigation, n.to_set) for n in schema.NAVIGATION_TO_READ]
    writer = InventoryWriter.create(
        partial_path(out), endpoint=ROOT, api_version="2.19",
        wire_format="minimal", units=units,
    )
    for unit in units:
        writer.begin_unit(unit)
        if unit.kind is UnitKind.ENTITY_SET:
            batch = []
            for entity in _wire_entities(data, unit.entity_set):
                batch.append((entity.key, canonical_json(entity.to_record())))
                if len(batch) >= BATCH:
                    writer.add_entities(unit.entity_set, batch)
                    batch = []
            writer.add_entities(unit.entity_set, batch)
        else:
            for entity in _wire_entities(data, unit.entity_set):
                key = entity.key
                writer.add_links(unit.entity_set, unit.nav, key, data.navigation(unit.entity_set, key, unit.nav))
        writer.complete_unit(unit)
    writer.finish()
    writer.publish(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_inventory(args.seed, args.assets, args.out)
    print(f"wrote {args.out} ({args.assets} assets) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
