"""Helpers of the end-to-end tests: run the real CLI as a subprocess and look for leaked secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from migrator.auth import StaticTokenProvider
from migrator.sandbox.app import Sandbox
from migrator.v3.client import ArmClient, arm_session

# The inventory snapshot holds the account's secrets by design (docs/inventory-format.md):
# it is checked for its 0600 mode instead of for their absence.
INVENTORY_FILE = "inventory.db"


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return f"migrator {' '.join(self.args)} exited {self.returncode}\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


def migrator(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None) -> Run:
    """``python3 -m migrator ARGS`` in a fresh process, as a user would run it."""
    completed = subprocess.run(
        [sys.executable, "-m", "migrator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    return Run(tuple(args), completed.returncode, completed.stdout, completed.stderr)


def arm_client(sandbox: Sandbox) -> ArmClient:
    return ArmClient(arm_session(), sandbox.base_url, StaticTokenProvider(sandbox.token, api="ARM"))


def leaked_secrets(secrets: Iterable[str], texts: Iterable[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """(where, secret prefix) for every secret value found in any of the named texts."""
    encoded = [(s, s.encode("utf-8")) for s in secrets if s]
    return [(where, secret[:16] + "...") for where, blob in texts for secret, raw in encoded if raw in blob]


def artifact_texts(directory: Path) -> list[tuple[str, bytes]]:
    """Every file the run left in ``directory`` (journal WAL side files included), except the inventory."""
    return [(p.name, p.read_bytes()) for p in sorted(directory.iterdir()) if p.is_file() and p.name != INVENTORY_FILE]


def paths_of(answer: dict | None) -> list[str]:
    """Every streaming and download path of a ``listPaths`` answer."""
    answer = answer or {}
    streaming = [p for entry in answer.get("streamingPaths") or () for p in entry.get("paths") or ()]
    return sorted(streaming + list(answer.get("downloadPaths") or ()))


def sandbox_environment(sandbox: Sandbox) -> dict[str, str]:
    """The environment an operator would export to point every command at the sandbox."""
    description = sandbox.describe()
    return {
        "MIGRATOR_V2_ENDPOINT": description.v2_endpoint,
        "MIGRATOR_V2_TOKEN": description.token,
        "MIGRATOR_ARM_ENDPOINT": description.arm_endpoint,
        "MIGRATOR_ARM_TOKEN": description.token,
        "AZURE_SUBSCRIPTION_ID": description.subscription_id,
    }


def plan_arguments(sandbox: Sandbox, mode: str) -> list[str]:
    """``migrator plan`` options naming the target (and, for new-account, the source) account."""
    description = sandbox.describe()
    if mode == "same-account":
        return ["--resource-group", description.source.resource_group, "--account-name", description.source.account_name]
    return [
        "--resource-group", description.target.resource_group,
        "--account-name", description.target.account_name,
        "--source-account-name", description.source.account_name,
        "--source-resource-group", description.source.resource_group,
    ]
