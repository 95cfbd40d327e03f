"""Apply a plan of thousands of creates to a throttled, slow sandbox; report the write rate against the allowed rate.

Each run gets a fresh sandbox process (``sandbox_server.py``: 100 ms latency on the v3 face,
a write bucket of ``rate x window`` tokens refilled evenly over ``window`` seconds, so at most
``rate`` writes/s are accepted once the first bucketful is spent) and a fresh apply process
(so its CPU time and peak RSS are its own). The apply is the real one: ``apply_plan`` ->
``PlanExecutor`` with a SQLite journal, through ``ArmClient`` with its ``Pacer`` and retries.
The same run applies a smaller plan with ``--parallel 1`` (the sequential executor) beside
the parallel one, so the comparison survives a noisy shared machine.

    python3 bench/apply/run.py            # 3000 creates at --parallel 8, 450 sequentially (~4 min)
    python3 bench/apply/run.py --quick    # 600 creates, 150 sequentially (~1 min)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import platform
import pstats
import resource
import subprocess
import sys
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


def sustained_rate(timeline: list[tuple[float, str, int, str | None]], bucket: int) -> tuple[float, float]:
    """Accepted writes per second from the first answer reporting at most half the bucket
    left (the start burst is spent; from then on only the refill rate is available) to the
    last answer; the whole run when that never happened. Returns (rate, seconds measured)."""
    writes = [(t, remaining) for t, method, status, remaining in timeline if method in WRITE_METHODS and status < 400]
    if len(writes) < 2:
        return 0.0, 0.0
    start = next((t for t, remaining in writes if remaining is not None and int(remaining) <= bucket // 2), writes[0][0])
    measured = [t for t, _ in writes if t > start]
    seconds = writes[-1][0] - start
    return (len(measured) / seconds if seconds > 0 else 0.0), seconds


def apply_once(plan_path: Path, journal_path: Path, endpoint: str, token: str, parallel: int, pacer_kind: str,
               throttling: Throttling, profile_path: Path | None) -> dict:
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
    profiler = cProfile.Profile() if profile_path else None
    cpu_started, started = time.process_time(), time.monotonic()
    if profiler:
        profiler.enable()
    result = apply_plan(plan, checksum, client, settings, reporter=SilentReporter())
    if profiler:
        profiler.disable()
        _write_profile(profiler, profile_path)
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    _write_timeline(timeline, started, journal_path.with_name(journal_path.stem.replace("journal", "timeline") + ".csv"))
    accepted = sum(1 for _, method, status, _ in timeline if method in WRITE_METHODS and status < 400)
    rate, measured_seconds = sustained_rate(timeline, throttling.bucket)
    return {
        "actions": len(plan.actions),
        "parallel": parallel,
        "wall_s": round(wall, 2),
        "accepted_writes_client": accepted,
        "throttled_429_client": sum(1 for _, _, status, _ in timeline if status == 429),
        "sustained_rate": round(rate, 2),
        "sustained_seconds": round(measured_seconds, 1),
        "failed": len(result.failed),
        "not_run": len(result.not_run),
        "first_failures": [f"{f.address}: {f.code}: {f.message}" for f in result.failed[:3]],
        "closing_line": result.closing_line(),
        "apply_cpu_s": round(cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _write_timeline(timeline, started: float, path: Path) -> None:
    """Every answer the client saw (seconds into the apply, method, status, writes left), for plotting."""
    lines = ["seconds,method,status,remaining_writes"]
    lines += [f"{t - started:.3f},{method},{status},{remaining or ''}" for t, method, status, remaining in timeline]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_profile(profiler: cProfile.Profile, path: Path) -> None:
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
    path.write_text(text.getvalue(), encoding="utf-8")


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
            "profile": str(args.workdir / f"profile-{label}.txt") if args.profile else None,
        }
        output = subprocess.run([sys.executable, __file__, "--child", json.dumps(child_args)], check=True,
                                stdout=subprocess.PIPE, text=True).stdout
        applied = json.loads(output.strip().splitlines()[-1])
        server.stdin.close()
        sandbox_log = json.loads(server.stdout.readline())
    finally:
        server.stdin.close() if not server.stdin.closed else None
        server.wait(timeout=30)
    accepted = sum(n for key, n in sandbox_log["by_method_status"].items() if key.split()[0] in WRITE_METHODS and int(key.split()[1]) < 400)
    rate = accepted / applied["wall_s"]
    return {
        "run": label,
        **applied,
        "accepted_writes": accepted,
        "throttled_429": sandbox_log["throttled_429"],
        "sandbox_requests": sandbox_log["by_method_status"],
        "write_rate": round(rate, 2),
        "ratio_of_allowed": round(rate / throttling.rate, 3),
        "sustained_ratio_of_allowed": round(applied["sustained_rate"] / throttling.rate, 3),
    }


def table(rows: list[dict], throttling: Throttling) -> str:
    lines = [
        f"allowed: {throttling.rate:g} writes/s (bucket {throttling.bucket} writes refilled over {throttling.window:g} s), "
        f"v3 latency {throttling.latency_ms} ms",
        "| run | creates | wall | writes/s | ratio (whole run) | ratio (sustained) | 429s | failed | apply CPU | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['run']} (--parallel {r['parallel']}) | {r['actions']} | {r['wall_s']:.1f} s | {r['write_rate']:.1f} | "
            f"{r['ratio_of_allowed']:.2f} | {r['sustained_ratio_of_allowed']:.2f} | {r['throttled_429']} | "
            f"{r['failed'] + r['not_run']} | {r['apply_cpu_s']:.1f} s | {r['peak_rss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 creates in parallel, 150 sequentially")
    parser.add_argument("--assets", type=int, default=None, help="three creates per asset (default 1000; --quick 200)")
    parser.add_argument("--sequential-assets", type=int, default=None, help="(default 150; --quick 50; 0: skip)")
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0, help="allowed writes per second")
    parser.add_argument("--window", type=float, default=10.0, help="seconds the write bucket takes to refill")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--pacer", choices=["matched", "hourly"], default="matched")
    parser.add_argument("--profile", action="store_true", help="cProfile each apply into WORKDIR/profile-<run>.txt")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/apply-bench"))
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    assets = args.assets or (200 if args.quick else 1000)
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
    target_met = rows[0]["ratio_of_allowed"] >= 0.9 and rows[0]["failed"] == 0 and rows[0]["not_run"] == 0
    print(table(rows, throttling))
    print(f"machine: nproc {_nproc()}, Python {platform.python_version()}, load average {_loadavg()}")
    print(f"target (>= 0.9 of the allowed rate at --parallel {args.parallel}, 0 failed): {'met' if target_met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"throttling": asdict(throttling), "pacer": args.pacer, "runs": rows,
                                         "target_met": target_met}, indent=2) + "\n", encoding="utf-8")


def _nproc() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _loadavg() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        spec = json.loads(sys.argv[2])
        outcome = apply_once(
            Path(spec["plan"]), Path(spec["journal"]), spec["endpoint"], spec["token"], spec["parallel"], spec["pacer"],
            Throttling(**spec["throttling"]), Path(spec["profile"]) if spec["profile"] else None,
        )
        print(json.dumps(outcome))
    else:
        main()
