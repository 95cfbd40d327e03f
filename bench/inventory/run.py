"""Inventory benchmark: the parallel reader against a sequential one-page-at-a-time read.

Starts bench/inventory/server.py (its own process, 127.0.0.1, ``--latency`` seconds injected per
page), then reads the whole account twice, each read in a fresh child process so its peak RSS
is its own: once with ``--parallel`` workers, once with one request at a time (the same reader
with parallel=1: the baseline a one-page-at-a-time loop gives). Prints entities/s for both, the
ratio, the reader's CPU time and peak RSS, and those of its parse worker processes (CPU summed,
the largest peak RSS); ``--json`` prints the same as one JSON document.

    python3 bench/inventory/run.py                                  # 100k entities, 50 ms/page
    python3 bench/inventory/run.py --entities 1000000 --no-sequential  # peak RSS at 1M
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_once(endpoint: str, out: Path, parallel: int) -> dict:
    """Runs in the child process: one complete read, timed, with this process's peak RSS."""
    from migrator.auth import StaticTokenProvider
    from migrator.http import build_session
    from migrator.v2.reader import READ_RETRY, ReaderSettings, read_inventory

    started, cpu_started = time.perf_counter(), time.process_time()
    summary = read_inventory(
        out,
        ReaderSettings(endpoint, parallel=parallel, archive_metadata=False),
        provider=StaticTokenProvider("benchmark-token", api="v2"),
        session=build_session(READ_RETRY, pool_size=parallel),
        entity_sets=["Files"],
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    # the reader's parse workers are this process's children, reaped by the end of the read
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    entities = sum(summary.counts.values())
    return {
        "parallel": parallel,
        "entities": entities,
        "seconds": round(elapsed, 2),
        "entities_per_second": round(entities / elapsed),
        # reader CPU (all threads) per second of wall time: near 1.0 means the GIL-bound
        # parse, not the network, limits the read
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # the parse workers' CPU (0 when the read used none) and the largest one's peak RSS
        "worker_cpu_seconds": round(workers.ru_utime + workers.ru_stime, 2),
        "worker_peak_rss_mb": round(workers.ru_maxrss / 1024, 1),
        "file_mb": round(out.stat().st_size / 2**20, 1),
    }


def measure(endpoint: str, parallel: int, workdir: Path) -> dict:
    out = workdir / f"inventory-p{parallel}.db"
    child = subprocess.run(
        [sys.executable, __file__, "--child", endpoint, str(out), str(parallel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def start_server(entities: int, latency: float) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--entities", str(entities), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(server.stdout.readline())  # type: ignore[union-attr]
    return server, f"http://127.0.0.1:{port}/api/"


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(read_once(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds injected per page")
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--no-sequential", action="store_true", help="skip the sequential baseline")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    server, endpoint = start_server(args.entities, args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-inventory-") as workdir:
            runs = {"parallel": measure(endpoint, args.parallel, Path(workdir))}
            if not args.no_sequential:
                runs["sequential"] = measure(endpoint, 1, Path(workdir))
    finally:
        server.terminate()
        server.wait()

    result = {"entities": args.entities, "latency_ms_per_page": args.latency * 1000, **runs}
    if "sequential" in runs:
        result["speedup"] = round(runs["parallel"]["entities_per_second"] / runs["sequential"]["entities_per_second"], 2)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.entities} entities, {args.latency * 1000:.0f} ms per page")
    for name, run in runs.items():
        print(
            f"  {name:<10} parallel={run['parallel']:<2} {run['seconds']:>8.2f} s "
            f"{run['entities_per_second']:>8} entities/s  reader CPU {run['cpu_seconds']:>6.2f} s  "
            f"peak RSS {run['peak_rss_mb']} MB  parse workers: CPU {run['worker_cpu_seconds']:.2f} s, "
            f"peak RSS {run['worker_peak_rss_mb']} MB each at most"
        )
    if "speedup" in result:
        print(f"  speedup    {result['speedup']}x")


if __name__ == "__main__":
    main()
