"""Apply a plan of thousands of creates to a throttled, slow sandbox; report the write rate against the allowed rate.

Each run gets a fresh sandbox process (``sandbox_server.py``: 100 ms latency on the v3 face,
ARM-style write throttling: a bucket of ``rate x window`` writes refilled evenly over
``window`` seconds; the default is ARM's documented 1,200 writes per window with the hour
compressed to 60 s, i.e. 20 writes/s) and a fresh apply process (so its CPU time and peak
RSS are its own). The apply is the real one: ``apply_plan`` -> ``PlanExecutor`` with a
SQLite journal, through ``ArmClient`` with its ``Pacer`` and retries. The same run applies
a smaller plan with ``--parallel 1`` (the sequential executor) beside the parallel one, so
the comparison survives a noisy shared machine.

The bucket starts full, so a run may write faster than the allowed rate for a while on that
head start. The headline ratio counts only the writes the refill paid for: accepted writes
minus what the bucket lost over the run (its size minus the budget the last answer
reported), per second, divided by the allowed rate. The whole-run ratio is printed beside it.

    python3 bench/apply/run.py            # 3000 creates at --parallel 8, 450 sequentially (~3 min)
    python3 bench/apply/run.py --quick    # 1500 creates, 150 sequentially (~1.5 min)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # make_plan, when run as a script from anywhere

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE", "POST"})
REMAINING_WRITES = "x-ms-ratelimit-remaining-subscription-writes"


@dataclass(frozen=True)
class Throttling:
    latency_ms: int
    rate: float  # accepted writes per second once the first bucketful is spent
    window: float  # seconds over which the bucket of rate x window writes refills

    @property
    def bucket(self) -> int:
        return round(self.rate * self.window)


# --- the apply process ------------------------------------------------------------------------


def build_pacer(kind: str, throttling: Throttling):
    """``hourly``: the pacer exactly as ``migrator apply`` builds it (ARM's 1,200 writes per
    3,600 s). ``matched``: the same class told the sandbox's budget and window, as an
    operator would for an ARM-compatible service with other budgets."""
    from migrator.v3.pipeline import Budget, Pacer

    if kind == "hourly":
        return Pacer()

    class WindowedPacer(Pacer):
        WINDOW_SECONDS = throttling.window

    return WindowedPacer(limits={Budget.WRITES: throttling.bucket, Budget.READS: 100 * throttling.bucket})


def writes_left(timeline: list[tuple[float, str, int, str | None]]) -> list[int]:
    """The write budget the sandbox reported in each answer to a write, in order."""
    return [int(remaining) for _, method, _, remaining in timeline if method in WRITE_METHODS and remaining is not None]


def apply_once(plan_path: Path, journal_path: Path, endpoint: str, token: str, parallel: int, pacer_kind: str,
               throttling: Throttling, time_limit: float | None) -> dict:
    from migrator.auth import StaticTokenProvider
    from migrator.console import SilentReporter
    from migrator.executor import ApplySettings, apply_plan
    from migrator.plan import load
    from migrator.redact import SECRETS
    from migrator.v3.client import ArmClient, arm_session

    SECRETS.add(token)
    plan = load(plan_path)
    checksum = json.loads(plan_path.read_text(encoding="utf-8"))["checksum"]
    for stale in journal_path.parent.glob(journal_path.name + "*"):
        stale.unlink()
    timeline: list[tuple[float, str, int, str | None]] = []

    def record(response, *args, **kwargs):
        timeline.append((time.monotonic(), response.request.method, response.status_code, response.headers.get(REMAINING_WRITES)))

    session = arm_session(pool_size=parallel * 2)  # as connect() builds it for --parallel N
    session.hooks["response"].append(record)
    client = ArmClient(session, endpoint, StaticTokenProvider(token, api="ARM"), pacing=build_pacer(pacer_kind, throttling))
    settings = ApplySettings(journal_path=journal_path, parallel=parallel)
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["result"] = apply_plan(plan, checksum, client, settings, reporter=SilentReporter())
        except BaseException as error:  # re-raised below, in the main thread
            outcome["error"] = error

    cpu_started, started = time.process_time(), time.monotonic()
    worker = threading.Thread(target=work, name="bench-apply", daemon=True)
    worker.start()
    worker.join(time_limit)
    wall = time.monotonic() - started
    if "error" in outcome:
        raise outcome["error"]
    result = outcome.get("result")  # None: stopped at the time limit, still running
    cpu = time.process_time() - cpu_started
    _write_timeline(timeline, started, journal_path.with_name(f"timeline-{journal_path.stem.removeprefix('journal-')}.csv"))
    accepted = sum(1 for _, method, status, _ in timeline if method in WRITE_METHODS and status < 400)
    left = writes_left(timeline)
    return {
        "actions": len(plan.actions),
        "parallel": parallel,
        "wall_s": round(wall, 2),
        "accepted_writes_client": accepted,
        "throttled_429_client": sum(1 for _, _, status, _ in timeline if status == 429),
        "writes_left_at_end": left[-1] if left else None,
        "writes_left_lowest": min(left, default=None),
        "finished": result is not None,
        "failed": len(result.failed) if result else None,
        "not_run": len(result.not_run) if result else None,
        "first_failures": [f"{f.address}: {f.code}: {f.message}" for f in result.failed[:3]] if result else [],
        "closing_line": result.closing_line() if result else f"stopped after {wall:.0f} s (--time-limit), still applying",
        "apply_cpu_s": round(cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _write_timeline(timeline, started: float, path: Path) -> None:
    """Every answer the client saw (seconds into the apply, method, status, writes left), for plotting."""
    lines = ["seconds,method,status,remaining_writes"]
    lines += [f"{t - started:.3f},{method},{status},{remaining or ''}" for t, method, status, remaining in timeline]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the benchmark --------------------------------------------------------------------------------


def run_one(label: str, plan_path: Path, parallel: int, args, throttling: Throttling) -> dict:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "sandbox_server.py"), "--latency-ms", str(throttling.latency_ms),
         "--writes", str(throttling.bucket), "--window", str(throttling.window)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        where = json.loads(server.stdout.readline())
        child_args = {
            "plan": str(plan_path), "journal": str(args.workdir / f"journal-{label}.db"), "endpoint": where["arm_endpoint"],
            "token": where["token"], "parallel": parallel, "pacer": args.pacer, "throttling": asdict(throttling),
            "time_limit": args.time_limit,
        }
        output = subprocess.run([sys.executable, __file__, "--child", json.dumps(child_args)], check=True,
                                stdout=subprocess.PIPE, text=True).stdout
        applied = json.loads(output.strip().splitlines()[-1])
        server.stdin.close()
        sandbox_log = json.loads(server.stdout.readline())
    finally:
        if not server.stdin.closed:  # the apply failed: stop the sandbox all the same
            server.stdin.close()
        server.wait(timeout=30)
    accepted = sum(n for key, n in sandbox_log["by_method_status"].items() if key.split()[0] in WRITE_METHODS and int(key.split()[1]) < 400)
    seconds = applied["wall_s"]
    left = applied["writes_left_at_end"]
    # The bucket starts full: writes beyond the refill were paid for by that head start.
    from_refill = accepted - (throttling.bucket - (left if left is not None else throttling.bucket))
    return {
        "run": label,
        **applied,
        "accepted_writes": accepted,
        "throttled_429": sandbox_log["throttled_429"],
        "sandbox_requests": sandbox_log["by_method_status"],
        "write_rate": round(accepted / seconds, 2),
        "ratio_whole_run": round(accepted / seconds / throttling.rate, 3),
        "refill_write_rate": round(from_refill / seconds, 2),
        "ratio_of_allowed": round(from_refill / seconds / throttling.rate, 3),
        # Until half the bucket is spent the throttle has not limited anything, and the ratio says nothing.
        "throttle_bound": applied["writes_left_lowest"] is not None and applied["writes_left_lowest"] <= throttling.bucket // 2,
    }


def table(rows: list[dict], throttling: Throttling) -> str:
    lines = [
        f"allowed: {throttling.rate:g} writes/s (bucket {throttling.bucket} writes refilled over {throttling.window:g} s), "
        f"v3 latency {throttling.latency_ms} ms",
        "| run | creates | wall | writes/s | of allowed (whole run) | writes/s from refill | **of allowed** | 429s | failed | apply CPU | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['run']} (--parallel {r['parallel']}) | {r['actions']} | {r['wall_s']:.1f} s | {r['write_rate']:.1f} | "
            f"{r['ratio_whole_run']:.2f} | {r['refill_write_rate']:.1f} | **{r['ratio_of_allowed']:.2f}** | {r['throttled_429']} | "
            f"{_failed_cell(r)} | {r['apply_cpu_s']:.1f} s | {r['peak_rss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def _failed_cell(row: dict) -> str:
    if not row["finished"]:
        return f"not finished: {row['accepted_writes']} of {row['actions']} written"
    return str(row["failed"] + row["not_run"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1500 creates in parallel, 150 sequentially")
    parser.add_argument("--assets", type=int, default=None, help="three creates per asset (default 1000; --quick 500)")
    parser.add_argument("--sequential-assets", type=int, default=None, help="(default 150; --quick 50; 0: skip)")
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0, help="allowed writes per second")
    parser.add_argument("--window", type=float, default=60.0, help="seconds the write bucket takes to refill")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--pacer", choices=["matched", "hourly"], default="matched")
    parser.add_argument("--time-limit", type=float, default=None, help="stop each apply after this many seconds and report what it wrote")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/apply-bench"))
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    assets = args.assets or (500 if args.quick else 1000)
    sequential_assets = args.sequential_assets if args.sequential_assets is not None else (50 if args.quick else 150)
    throttling = Throttling(args.latency_ms, args.rate, args.window)
    args.workdir.mkdir(parents=True, exist_ok=True)

    from make_plan import build_plan
    from migrator.plan import save

    runs = [("parallel", assets, args.parallel)] + ([("sequential", sequential_assets, 1)] if sequential_assets else [])
    rows = []
    for label, size, parallel in runs:
        plan_path = args.workdir / f"plan-{size}.json"
        save(build_plan(size), plan_path)
        rows.append(run_one(label, plan_path, parallel, args, throttling))
        print(json.dumps(rows[-1]), flush=True)
    first = rows[0]
    target_met = first["finished"] and first["throttle_bound"] and first["ratio_of_allowed"] >= 0.9 and first["failed"] == first["not_run"] == 0
    print(table(rows, throttling))
    if not first["throttle_bound"]:
        print(f"the {first['run']} run never spent half the write bucket: the throttle did not limit it (more --assets or a shorter --window)")
    print(f"machine: nproc {_nproc()}, Python {platform.python_version()}, load average {_loadavg()}")
    print(f"target (>= 0.9 of the allowed rate at --parallel {args.parallel}, 0 failed): {'met' if target_met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"throttling": asdict(throttling), "pacer": args.pacer, "runs": rows,
                                         "target_met": target_met}, indent=2) + "\n", encoding="utf-8")


def _nproc() -> int:
    return len(os.sched_getaffinity(0))


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        spec = json.loads(sys.argv[2])
        outcome = apply_once(
            Path(spec["plan"]), Path(spec["journal"]), spec["endpoint"], spec["token"], spec["parallel"], spec["pacer"],
            Throttling(**spec["throttling"]), spec["time_limit"],
        )
        print(json.dumps(outcome), flush=True)
        os._exit(0)  # an apply stopped at --time-limit still has worker threads waiting on the pacer
    else:
        main()
