"""Builders for small hand-made plans (docs/plan-format.md) and an in-memory ARM target."""

from __future__ import annotations

import copy
import threading
import time

from migrator.exceptions import ConflictError
from migrator.plan import AccountCoordinates, Action, Change, Finding, InventoryInfo, Phase, Plan, SecretRef, Severity
from migrator.v3.ids import AccountRef

SUB = "00000000-0000-0000-0000-000000000001"
TARGET = AccountRef(SUB, "rg", "target")
SOURCE = AccountRef(SUB, "rg", "source")
PREFIX = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Media/mediaServices"
T = "Microsoft.Media/mediaServices/"
CHECKSUM = "sha256:" + "c" * 64


def account_coordinates(ref: AccountRef, state: str | None = None) -> AccountCoordinates:
    return AccountCoordinates("https://management.example", ref.subscription_id, ref.resource_group, ref.account_name, state)


def make_action(address: str, **fields) -> Action:
    family = address.split("/", 1)[0]
    defaults = dict(
        address=address,
        change=Change.CREATE,
        resource_type=T + family if family not in ("manual", "copy") else None,
        name=address.split("/", 1)[1],
        operation="put",
        phase=Phase.PREPARE,
        body={"properties": {"description": address}},
    )
    defaults.update(fields)
    return Action(**defaults)


def make_plan(
    actions, *, mode: str = "same-account", source: AccountRef | None = None, state: str | None = None, inventory: str = "sha256:inv"
) -> Plan:
    """``state`` None plans as ``--no-refresh`` did (the target state is unknown and not checked)."""
    return Plan(
        tool_version="0.1.0",
        mode=mode,
        refreshed=state is not None,
        inventory=InventoryInfo(inventory, "https://v2.example/api/", "2026-01-01T00:00:00Z", {"Assets": 1}),
        target=account_coordinates(TARGET, state),
        source=None if source is None else account_coordinates(source),
        actions=tuple(actions),
        coverage={"Assets": {"total": 1, "accounted": 1}},
    )


def manual_finding(message: str) -> Finding:
    return Finding("CHANNEL_RUNNING", Severity.WARNING, message, "stop it in the window")


def content_key_ref(path: str, locator: str, key_id: str) -> SecretRef:
    return SecretRef(path, "source-content-key", (("key_id", key_id), ("locator", locator)))


class FakeArm:
    """An ARM target in memory with the client's five verbs; records calls and concurrency."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.resources: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.bodies: list[dict] = []
        self.post_answers: dict[str, dict] = {}
        self.fail: dict[str, Exception] = {}
        self.delay = delay
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def _enter(self, method: str, rid: str) -> None:
        with self._lock:
            self.calls.append((method, rid))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        if self.delay:
            time.sleep(self.delay)

    def _leave(self) -> None:
        with self._lock:
            self.active -= 1

    def get(self, rid):
        self._enter("GET", rid)
        try:
            found = self.resources.get(rid.lower())
            return copy.deepcopy(found)
        finally:
            self._leave()

    def put(self, rid, body):
        self._enter("PUT", rid)
        try:
            if rid in self.fail:
                raise self.fail[rid]
            if "streamingLocators" in rid and rid.lower() in self.resources:
                raise ConflictError("streaming locator already exists", status=409)
            stored = copy.deepcopy(dict(body))
            stored.update({"id": rid, "name": rid.rsplit("/", 1)[-1]})
            stored.setdefault("properties", {})["created"] = "2026-01-01T00:00:00Z"
            self.bodies.append(copy.deepcopy(dict(body)))
            self.resources[rid.lower()] = stored
            return copy.deepcopy(stored)
        finally:
            self._leave()

    def post(self, rid, action, body=None):
        self._enter("POST", f"{rid}/{action}")
        try:
            if action == "start":
                self.resources[rid.lower()].setdefault("properties", {})["resourceState"] = "Running"
                return {}
            return copy.deepcopy(self.post_answers.get(f"{rid}/{action}", {}))
        finally:
            self._leave()

    def list(self, collection):
        self._enter("GET", collection)
        try:
            prefix = collection.lower() + "/"
            return [copy.deepcopy(v) for k, v in sorted(self.resources.items()) if k.startswith(prefix) and "/" not in k[len(prefix):]]
        finally:
            self._leave()

    def delete(self, rid):
        self._enter("DELETE", rid)
        try:
            self.resources.pop(rid.lower(), None)
        finally:
            self._leave()

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET" and not c[1].endswith(("/listContentKeys", "/listContainerSas", "/getPolicyPropertiesWithSecrets"))]


