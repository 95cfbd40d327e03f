"""The sandbox for one apply-benchmark run, in its own process (so the apply's CPU and peak RSS are its own).

Starts ``Sandbox`` with v3 latency and ARM-style write throttling, prints one JSON line
(endpoint, token), serves until stdin closes, then prints one JSON line counting the v3
requests its request log holds by method and status, and exits.

    python3 bench/apply/sandbox_server.py --latency-ms 100 --writes 1200 --window 60
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from migrator.sandbox.app import Sandbox
from migrator.sandbox.throttle import ThrottleSettings


def log_summary(sandbox: Sandbox) -> dict:
    entries = sandbox.request_log.entries("v3")
    by_status = Counter(f"{e.method} {e.status}" for e in entries)
    return {
        "requests": len(entries),
        "by_method_status": dict(sorted(by_status.items())),
        "throttled_429": sum(1 for e in entries if e.status == 429),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--writes", type=int, required=True, help="write bucket size, refilled evenly over --window")
    parser.add_argument("--window", type=float, required=True, help="seconds")
    parser.add_argument("--reads", type=int, default=None, help="read bucket size (default: 100 x --writes)")
    args = parser.parse_args()
    throttle = ThrottleSettings(reads=args.reads or 100 * args.writes, writes=args.writes, window_seconds=args.window)
    # One seeded asset: the source account is not read by this benchmark's plan.
    with Sandbox(seed=1, assets=1, v3_latency_ms=args.latency_ms, throttle=throttle) as sandbox:
        description = sandbox.describe()
        print(json.dumps({"arm_endpoint": description.arm_endpoint, "token": description.token}), flush=True)
        sys.stdin.read()
        print(json.dumps(log_summary(sandbox)), flush=True)


if __name__ == "__main__":
    main()
