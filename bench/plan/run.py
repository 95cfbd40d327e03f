"""Plan seeded accounts of growing size with the real CLI; report time, peak RSS and growth.

Each size is planned in a fresh child process (``migrator plan --no-refresh``), so the peak
RSS is the planner's own. Inventory files are built once per size by make_inventory.py and
reused (setup, not timed).

    python3 bench/plan/run.py --assets 100000 1000000 --mode new-account
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ensure_inventory(workdir: Path, assets: int, seed: int) -> Path:
    path = workdir / f"inv-{assets}-{seed}.db"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_inventory.py"), "--assets", str(assets), "--seed", str(seed), "--out", str(path)], check=True)
    return path


def plan_once(inventory: Path, out: Path, mode: str) -> dict:
    args = [sys.executable, "-m", "migrator", "plan", "--inventory", str(inventory), "--subscription-id", "bench",
            "--resource-group", "bench", "--account-name", "target", "--mode", mode, "--no-refresh",
            "--location", "westus2", "--out", str(out), "--hide-unchanged"]
    if mode == "new-account":
        args += ["--source-account-name", "source"]
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, stderr = child.communicate()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        raise SystemExit(f"plan failed ({child.returncode}): {stderr[-2000:]}")
    return {"seconds": round(elapsed, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def plan_counts(path: Path) -> tuple[int, int]:
    """(inventory entities, actions) of a plan file, streamed: the runner must not hold a
    multi-gigabyte plan in memory next to the planner it measures."""
    actions, tail = 0, []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('    {"address"'):
                actions += 1
            else:
                tail.append(line)
    rest = json.loads("".join(tail).replace('"actions": [\n  ]', '"actions": []'))
    return sum(rest["inventory"]["counts"].values()), actions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--mode", choices=["same-account", "new-account"], default="new-account")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/plan-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for assets in args.assets:
        inventory = ensure_inventory(args.workdir, assets, args.seed)
        out = args.workdir / f"plan-{assets}-{args.mode}.json"
        # Peak RSS of RUSAGE_CHILDREN is the largest child so far: run each size in its own interpreter.
        result = json.loads(subprocess.check_output([sys.executable, __file__, "--child", str(inventory), str(out), args.mode]))
        entities, actions = plan_counts(out)
        rows.append({"assets": assets, "entities": entities, "actions": actions, "plan_mb": round(out.stat().st_size / 2**20, 1), **result})
        print(json.dumps(rows[-1]), flush=True)
    for before, after in zip(rows, rows[1:]):
        scale = after["assets"] / before["assets"]
        print(f"{before['assets']} -> {after['assets']} assets (x{scale:g}): time x{after['seconds'] / before['seconds']:.2f}, "
              f"peak RSS x{after['peak_rss_mb'] / before['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(plan_once(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])))
    else:
        main()
