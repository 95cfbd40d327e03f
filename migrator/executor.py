"""Apply a plan to the v3 target: dependency order, bounded parallelism, crash-safe resume.

``PlanExecutor.apply(plan)`` walks the plan's actions in topological generations over
``depends_on`` and runs each generation on a bounded thread pool through the injected ARM
client (its pacing and retries are shared by all workers). Every action is journalled in
flight before its request and done after the answer; a later run reconciles the actions a
crash left in flight by reading the target first (Django's ``detect_soft_applied``), so a
resource is never created twice. A dry run is this same executor with a recording
transport under the client and a throw-away journal: there is no second implementation.

The executor never writes to the v2 side. Manual v2 steps (``operation: confirm``) and the
content-copy boundary wait for the operator through the ``confirm`` callback, and so do
steps that cannot be undone or belong in the downtime window; the engine itself never
prompts or prints.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import networkx as nx

from migrator.console import Reporter
from migrator.exceptions import (
    AbortedError,
    AuthError,
    ConfigError,
    ConflictError,
    InputError,
    MigratorError,
    PlanFormatError,
    RemoteError,
    StalePlanError,
    ThrottledError,
    UnreachableError,
)
from migrator.journal import IN_MEMORY, ActionState, Journal
from migrator.redact import SECRETS
from migrator.v3.ids import AccountRef, ResourceType, resource_id

log = logging.getLogger("migrator.executor")

SECRET_PLACEHOLDER = "{secret}"
# Errors that say the whole run cannot go on (every further request would fail the same
# way); the action stays in flight so the next run reconciles it.
_RUN_STOPPING_ERRORS = (AuthError, UnreachableError, ThrottledError)
# Resource states after which a start (or stop) needs no second request.
_STATES_AFTER = {"start": {"running", "starting"}, "stop": {"stopped", "stopping"}}
_SAS_LIFETIME = timedelta(hours=23)  # listContainerSas refuses 24 h or more
# PUT returns 201 only and there is no PATCH: an existing one cannot be changed (reference 3).
_CREATE_ONLY_TYPES = frozenset(
    {ResourceType.STREAMING_LOCATOR.value, ResourceType.STREAMING_POLICY.value}
)


@dataclass(frozen=True)
class ConfirmRequest:
    """What the operator is asked to confirm; ``kind`` is manual, content-copy, irreversible or downtime."""

    kind: str
    address: str
    message: str
    script: str | None = None


ConfirmCallback = Callable[[ConfirmRequest], bool]


def refuse_all(request: ConfirmRequest) -> bool:
    """The default ``confirm``: nothing irreversible or manual happens without an operator."""
    return False


@dataclass(frozen=True)
class ActionFailure:
    address: str
    code: str
    message: str


@dataclass(frozen=True)
class ApplyResult:
    """Counts by outcome (created, modified, started, deleted, confirmed, copied, unchanged, unsupported)."""

    outcomes: Mapping[str, int]
    failed: tuple[ActionFailure, ...] = ()
    not_run: tuple[str, ...] = ()  # depended on a failed action
    scripts: tuple[str, ...] = ()
    already_applied: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_run

    @property
    def changed(self) -> int:
        return sum(n for kind, n in self.outcomes.items() if kind not in ("unchanged", "unsupported"))

    def closing_line(self) -> str:
        counts = dict(self.outcomes)
        nothing_done = self.changed == 0
        # A finished plan run again is all "unchanged"; after a resume, earlier runs' work is named apart.
        unchanged = counts.pop("unchanged", 0) + (self.already_applied if nothing_done else 0)
        parts = [f"{counts.pop('created', 0)} created"]
        parts += [f"{n} {kind}" for kind, n in sorted(counts.items()) if n]
        parts.append(f"{unchanged} unchanged")
        if self.already_applied and not nothing_done:
            parts.append(f"{self.already_applied} applied by an earlier run")
        parts.append(f"{len(self.failed)} failed")
        if self.not_run:
            parts.append(f"{len(self.not_run)} not run")
        line = ("Apply complete: " if self.ok else "Apply incomplete: ") + ", ".join(parts) + "."
        if self.ok and nothing_done and self.already_applied:
            line += " Nothing to do: the journal shows every action of this plan already applied."
        return line


# --- secrets --------------------------------------------------------------------------


class SecretResolver:
    """Fetches the secret values a body needs from the SOURCE account, at apply time only.

    Values come from ``listContentKeys`` on the source locator and
    ``getPolicyPropertiesWithSecrets`` on the source policy; each answer is fetched once and
    every value is registered with the log scrubber before it is used.
    """

    def __init__(self, client, source: AccountRef) -> None:
        self._client = client
        self._source = source
        self._answers: dict[tuple[str, str], dict] = {}
        self._lock = threading.Lock()

    def resolve(self, action) -> Any:
        body = action.body
        if not action.secret_refs:
            return body
        filled = _deep_copy(body)
        for ref in action.secret_refs:
            value = self._value_for(ref.source, dict(ref.details), action.address)
            SECRETS.add(value)
            _set_path(filled, ref.path, value)
        return filled

    def _value_for(self, kind: str, ref: Mapping[str, str], address: str) -> str:
        if kind == "source-content-key":
            answer = self._answer(ResourceType.STREAMING_LOCATOR, ref["locator"], "listContentKeys")
            for key in answer.get("contentKeys", []):
                if str(key.get("id", "")).lower() == str(ref["key_id"]).lower() and key.get("value"):
                    return key["value"]
            raise ConfigError(
                f"content key {ref['key_id']} has no value on source locator {ref['locator']}",
                hint="the source account must still hold the locator and its keys",
            )
        if kind == "source-policy-secret":
            answer = self._answer(ResourceType.CONTENT_KEY_POLICY, ref["policy"], "getPolicyPropertiesWithSecrets")
            for option in answer.get("options", []):
                if ref["option"] in (option.get("name"), option.get("policyOptionId")):
                    # ``field`` is relative to the option's configuration or restriction.
                    for part in (option.get("configuration"), option.get("restriction"), option):
                        value = _get_path(part, ref["field"])
                        if isinstance(value, str) and value:
                            return value
            raise ConfigError(
                f"secret {ref['field']} of option {ref['option']} not found in source policy {ref['policy']}",
                hint="the source policy must still hold that option",
            )
        raise PlanFormatError(f"unknown secret reference kind {kind!r} in {address}", hint="regenerate the plan")

    def _answer(self, resource_type: ResourceType, name: str, action: str) -> dict:
        key = (action, name)
        with self._lock:
            if key not in self._answers:
                rid = resource_id(self._source, resource_type, name).id
                self._answers[key] = self._client.post(rid, action) or {}
            return self._answers[key]


class PlaceholderSecrets:
    """For dry runs: bodies keep their ``{secret}`` placeholders and nothing is fetched."""

    def resolve(self, action) -> Any:
        return action.body


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path_tokens(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PATH_TOKEN.findall(path)]


def _get_path(obj: Any, path: str) -> Any:
    for token in _path_tokens(path):
        try:
            obj = obj[token]
        except (KeyError, IndexError, TypeError):
            return None
    return obj


def _set_path(obj: Any, path: str, value: Any) -> None:
    tokens = _path_tokens(path)
    for token in tokens[:-1]:
        obj = obj[token]
    obj[tokens[-1]] = value


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# --- comparing a planned body with what the target holds ---------------------------------


def body_differences(planned: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` differs from ``planned``, comparing only what the plan set.

    Fields the plan does not set (read-only ones such as ``created`` or ``provisioningState``)
    are ignored, ``{secret}`` placeholders match anything (reads never return secrets),
    strings compare case-insensitively where both look like GUIDs (ARM lower-cases them), and
    date-times compare as instants (ARM may write ``Z`` as ``+00:00`` or add digits).
    """
    if isinstance(planned, str) and planned == SECRET_PLACEHOLDER:
        return []
    if isinstance(planned, dict):
        if not isinstance(actual, dict):
            return [path or "(body)"]
        differences: list[str] = []
        for key, value in planned.items():
            differences += body_differences(value, actual.get(key), f"{path}.{key}" if path else key)
        return differences
    if isinstance(planned, list):
        if not isinstance(actual, list) or len(actual) != len(planned):
            return [path]
        differences = []
        for index, (p, a) in enumerate(zip(planned, actual)):
            differences += body_differences(p, a, f"{path}[{index}]")
        return differences
    if isinstance(planned, str) and isinstance(actual, str) and planned != actual:
        if _GUID.match(planned):
            return [] if planned.lower() == actual.lower() else [path]
        if _DATE_TIME.match(planned) and _DATE_TIME.match(actual):
            return [] if _instant(planned) == _instant(actual) else [path]
    return [] if planned == actual else [path]


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def _instant(text: str) -> datetime:
    """An ISO 8601 date-time as an aware instant; fractions past microseconds are dropped."""
    whole, fraction, zone = _DATE_TIME.match(text).groups()
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    offset = "+00:00" if zone in (None, "Z") else zone
    return datetime.fromisoformat(f"{whole}.{micro}{offset}")


# --- refusing a stale plan ---------------------------------------------------------------

TargetFingerprint = Callable[[Any], "str | None"]


def check_plan_is_current(
    plan,
    journal: Journal,
    *,
    inventory_path: str | os.PathLike | None = None,
    target_fingerprint: TargetFingerprint | None = None,
) -> None:
    """Refuse a plan whose inventory or target changed since planning, and say which.

    ``load`` has already refused an unknown format version and an edited file. The target is
    re-read (``target_fingerprint(plan)``) only before the first action of a plan is applied:
    once the journal shows progress, the target differs from the planned state because of
    this plan's own writes, and each resource is reconciled by reading it instead.
    """
    if inventory_path is not None:
        _check_inventory(plan, inventory_path)
    if target_fingerprint is None or not plan.refreshed or _journal_shows_progress(journal):
        return
    planned = plan.target.state_fingerprint
    current = target_fingerprint(plan)
    if current != planned:
        raise StalePlanError(
            f"the target account {plan.target.account_name} changed since planning "
            f"(state fingerprint {_short_hash(planned)} in the plan, {_short_hash(current)} now)",
            hint="plan again with: migrator plan --out PLAN",
            reason="target",
        )


def target_state_fingerprint(client, plan) -> str:
    """Re-read the target with the planner's own refresh reader and fingerprint it the same way,
    so the two can only disagree when the target changed."""
    from migrator.planner import read_target_state, state_fingerprint

    return state_fingerprint(read_target_state(client, target_account(plan), plan.actions))


def _check_inventory(plan, inventory_path) -> None:
    from migrator.v2.store import InventoryStore

    with InventoryStore.open(inventory_path) as store:
        recorded = store.meta.fingerprint
        intact = store.verify_fingerprint()
    if not intact:
        raise StalePlanError(
            f"inventory {inventory_path} was modified after it was read (its content no longer matches its fingerprint)",
            hint="read the v2 account again with migrator inventory, then plan again",
            reason="inventory",
        )
    if recorded != plan.inventory.fingerprint:
        raise StalePlanError(
            f"the plan was made from another inventory (fingerprint {_short_hash(plan.inventory.fingerprint)} "
            f"in the plan, {_short_hash(recorded)} in {inventory_path})",
            hint="plan again from this inventory with: migrator plan --inventory FILE --out PLAN",
            reason="inventory",
        )


def _journal_shows_progress(journal: Journal) -> bool:
    counts = journal.counts()
    return any(n for state, n in counts.items() if state is not ActionState.PENDING)


def _short_hash(value: str | None) -> str:
    return "none" if not value else value[:19]


# --- the executor --------------------------------------------------------------------


def target_account(plan) -> AccountRef:
    target = plan.target
    return AccountRef(target.subscription_id, target.resource_group, target.account_name)


def source_account(plan) -> AccountRef:
    """The account secrets and blobs come from: the plan's source, else the target itself."""
    source = plan.source or plan.target
    return AccountRef(source.subscription_id, source.resource_group, source.account_name)


def action_resource_id(account: AccountRef, action) -> str:
    try:
        resource_type = ResourceType(action.resource_type)
    except ValueError:
        raise PlanFormatError(
            f"{action.address}: resource type {action.resource_type!r} is not one apply knows", hint="plan again with this version"
        ) from None
    return resource_id(account, resource_type, *action.name.split("/")).id


def executable(action) -> bool:
    """Actions that do something at apply time; the rest are accounted for by the plan alone."""
    return action.operation != "none"


@dataclass
class _Run:
    """Mutable bookkeeping of one ``apply`` call (kept out of the executor's own state)."""

    outcomes: dict[str, int] = field(default_factory=dict)
    failed: list[ActionFailure] = field(default_factory=list)
    failed_addresses: set[str] = field(default_factory=set)
    not_run: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    already_applied: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def fail(self, address: str, error: MigratorError) -> None:
        with self.lock:
            self.failed.append(ActionFailure(address, error.code, SECRETS.scrub(error.message)))
            self.failed_addresses.add(address)


class PlanExecutor:
    """Runs a plan's actions against the target through ``client``, journalling each."""

    def __init__(
        self,
        client,
        journal: Journal,
        reporter: Reporter,
        *,
        parallel: int = 4,
        confirm: ConfirmCallback = refuse_all,
        secrets: SecretResolver | PlaceholderSecrets | None = None,
        script_dir: str | os.PathLike | None = None,
        source_client=None,
    ) -> None:
        if parallel < 1:
            raise ConfigError("parallel must be at least 1")
        self.client = client
        self.journal = journal
        self.reporter = reporter
        self.parallel = parallel
        self.confirm = confirm
        self.secrets = secrets
        self.script_dir = Path(script_dir) if script_dir is not None else None
        # Blobs and SAS come from the source account, which may sit behind another client.
        self.source_client = source_client or client

    # -- planning the run ------------------------------------------------------------

    def apply(self, plan, phases: Iterable[str] | None = None) -> ApplyResult:
        selected_phases = set(phases) if phases else None
        account, source = target_account(plan), source_account(plan)
        by_address = {action.address: action for action in plan.actions}
        selected = [a for a in plan.actions if selected_phases is None or a.phase.value in selected_phases]
        run = _Run()
        for action in selected:
            if not executable(action):
                run.count("unsupported" if action.change == "unsupported" else "unchanged")
        to_execute = [a for a in selected if executable(a)]
        self.journal.ensure_actions(a.address for a in to_execute)
        entries = self.journal.entries()
        self._check_dependencies_outside_selection(to_execute, by_address, entries, selected_phases)
        pending = []
        for action in to_execute:
            if entries[action.address].state is ActionState.DONE:
                run.already_applied += 1
            else:
                pending.append(action)
        self.reporter.event("apply.start", actions=len(to_execute), pending=len(pending), parallel=self.parallel)
        graph = _dependency_graph(pending, by_address)
        with self.reporter.progress("Applying", len(pending)) as progress:
            with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="apply") as pool:
                for generation in nx.topological_generations(graph):
                    batch = [by_address[a] for a in sorted(generation)]
                    self._run_generation(batch, graph, account, source, run, pool, progress)
        result = ApplyResult(
            outcomes=run.outcomes,
            failed=tuple(run.failed),
            not_run=tuple(sorted(run.not_run)),
            scripts=tuple(run.scripts),
            already_applied=run.already_applied,
        )
        self.reporter.event("apply.end", line=result.closing_line())
        return result

    def _check_dependencies_outside_selection(self, to_execute, by_address, entries, phases) -> None:
        if phases is None:
            return
        for action in to_execute:
            for dependency in action.depends_on:
                needed = by_address.get(dependency)
                if needed is None or needed.phase.value in phases or not executable(needed):
                    continue
                entry = entries.get(dependency)
                if entry is None or entry.state is not ActionState.DONE:
                    raise ConfigError(
                        f"{action.address} depends on {dependency} (phase {needed.phase.value}), which is not applied yet",
                        hint=f"run apply with --phase {needed.phase.value} first, with the same --journal",
                    )

    def _run_generation(self, batch, graph, account, source, run: _Run, pool, progress) -> None:
        runnable = []
        for action in batch:
            if any(dep in run.failed_addresses or dep in run.not_run for dep in graph.predecessors(action.address)):
                run.not_run.append(action.address)
                progress.advance()
            else:
                runnable.append(action)
        manual = [a for a in runnable if a.operation == "confirm"]
        copies = [a for a in runnable if a.operation == "content-copy"]
        requests_ = [a for a in runnable if a.operation not in ("confirm", "content-copy")]
        for action in manual:
            self._confirm_manual_step(action, run)
            progress.advance()
        if copies:
            self._copy_content(copies, account, source, run, pool)
            progress.advance(len(copies))
        for action in requests_:
            self._confirm_if_needed(action)
        futures = [pool.submit(self._execute, action, account, run) for action in requests_]
        self._wait(futures, progress)

    def _wait(self, futures: Sequence[Future], progress) -> None:
        """Wait for a generation; on a run-stopping error or Ctrl-C, start nothing more."""
        remaining = set(futures)
        try:
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_EXCEPTION)
                progress.advance(len(done))
                stopping = next((f.exception() for f in done if f.exception() is not None), None)
                if stopping is not None:
                    raise stopping
        except BaseException:
            for future in remaining:
                future.cancel()  # not started: stays pending in the journal
            wait(remaining)
            raise

    # -- confirmations -------------------------------------------------------------------

    def _ask(self, request: ConfirmRequest) -> None:
        self.reporter.event("apply.confirm", step=request.kind, address=request.address)
        if not self.confirm(request):
            raise AbortedError(
                f"not confirmed: {request.message}",
                hint="nothing after this step was run; re-run apply with the same --journal and confirm, or pass --yes",
                address=request.address,
            )

    def _confirm_manual_step(self, action, run: _Run) -> None:
        self.journal.record_started(action.address)
        what = _manual_step_text(action) or f"manual step {action.address}"
        self._ask(ConfirmRequest("manual", action.address, f"{what}: confirm once this manual step is done"))
        self.journal.record_done(action.address, outcome="confirmed")
        run.count("confirmed")

    def _confirm_if_needed(self, action) -> None:
        if not (action.irreversible or action.downtime):
            return
        kind = "irreversible" if action.irreversible else "downtime"
        verb = action.operation.replace("post:", "")
        self._ask(ConfirmRequest(kind, action.address, f"{verb} {action.address} ({_kind_phrase(kind)})"))

    # -- content copy --------------------------------------------------------------------

    def _copy_content(self, copies, account: AccountRef, source: AccountRef, run: _Run, pool) -> None:
        """One azcopy script for the generation's assets, then one confirmation: a phase boundary.

        The SAS requests run on the pool (they are independent reads); the script lists the
        assets in the generation's order whatever order the answers come in.
        """
        for action in copies:
            self.journal.record_started(action.address)
        futures = [pool.submit(self._container_sas_pair, action, account, source) for action in copies]
        lines, ready = [], []
        try:
            for action, future in zip(copies, futures):
                try:
                    read, write = future.result()
                except _RUN_STOPPING_ERRORS:
                    raise
                except (RemoteError, ConfigError) as error:
                    self.journal.record_failed(action.address, code=error.code, message=error.message)
                    run.fail(action.address, error)
                    continue
                lines.append(_azcopy_line(read, write))
                ready.append(action)
        except BaseException:
            for future in futures:
                future.cancel()  # not started: stays in flight in the journal; the next run copies it again
            wait(futures)
            raise
        if not ready:
            return
        script = self._write_script(lines)
        if script:
            run.scripts.append(script)
        self.reporter.event("apply.content_copy", assets=len(ready), script=script or "(not written)")
        self._ask(
            ConfirmRequest(
                "content-copy",
                ready[0].address,
                f"copy the blobs of {len(ready)} asset(s)"
                + (f" by running {script}, then delete that file (it holds SAS URLs)" if script else ""),
                script=script,
            )
        )
        for action in ready:
            self.journal.record_done(action.address, outcome="copied")
            run.count("copied")

    def _container_sas_pair(self, action, account: AccountRef, source: AccountRef) -> tuple[str, str]:
        """(read SAS of the source container, read-write SAS of the target's) for one copy action."""
        source_asset, target_asset = _copy_asset_names(action)
        read = self._container_sas(self.source_client, source, source_asset, "Read")
        return read, self._container_sas(self.client, account, target_asset, "ReadWrite")

    def _container_sas(self, client, account: AccountRef, asset: str, permissions: str) -> str:
        expiry = (datetime.now(timezone.utc) + _SAS_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
        rid = resource_id(account, ResourceType.ASSET, asset).id
        answer = client.post(rid, "listContainerSas", {"permissions": permissions, "expiryTime": expiry}) or {}
        urls = answer.get("assetContainerSasUrls") or []
        if not urls:
            raise ConfigError(f"no container SAS URL for asset {asset}", hint="check the account's storage access")
        for url in urls:
            SECRETS.add(url.partition("?")[2])
        return urls[0]

    def _write_script(self, lines: list[str]) -> str | None:
        if self.script_dir is None:
            return None
        path = self.script_dir / f"azcopy-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}.sh"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        header = [
            "#!/bin/sh",
            "# Copies asset blobs from the source account's containers to the target's.",
            "# Generated by migrator apply. It holds SAS URLs valid for 23 hours: delete it after use.",
            "set -eu",
        ]
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(header + lines) + "\n")
        return str(path)

    # -- one action -------------------------------------------------------------------

    def _execute(self, action, account: AccountRef, run: _Run) -> None:
        address = action.address
        try:
            rid = action_resource_id(account, action)
            if self._left_in_flight(address) and self._already_effective(action, rid):
                self.journal.record_done(address, outcome=_outcome(action), resource_id=rid)
                self.reporter.event("apply.reconciled", address=address)
                run.count(_outcome(action))
                return
            self.journal.record_started(address)
            answer = self._send(action, rid)
        except _RUN_STOPPING_ERRORS:
            raise
        except (RemoteError, ConfigError, InputError) as error:
            self.journal.record_failed(address, code=error.code, message=error.message)
            run.fail(address, error)
            log.warning("%s failed: %s", address, error.message)
            return
        answer_id = answer.get("id") if isinstance(answer, dict) else None
        self.journal.record_done(address, outcome=_outcome(action), resource_id=answer_id or rid)
        run.count(_outcome(action))

    def _left_in_flight(self, address: str) -> bool:
        entry = self.journal.get(address)
        return entry is not None and entry.state is ActionState.IN_FLIGHT

    def _send(self, action, rid: str):
        operation = action.operation
        if operation == "put":
            return self.client.put(rid, self.secrets.resolve(action) if self.secrets else action.body)
        if operation.startswith("post:"):
            return self.client.post(rid, operation[5:], action.body)
        if operation == "delete":
            return self.client.delete(rid)
        raise PlanFormatError(f"{action.address}: unknown operation {operation!r}", hint="regenerate the plan")

    def _already_effective(self, action, rid: str) -> bool:
        """Reconcile an action a crash left in flight: read the target before sending again."""
        current = self.client.get(rid)
        operation = action.operation
        if operation == "put":
            differences = body_differences(action.body or {}, current) if current is not None else ["(absent)"]
            if current is not None and differences and action.resource_type in _CREATE_ONLY_TYPES:
                # A second PUT would be refused: say what differs instead of sending it.
                raise ConflictError(
                    f"{action.address} already exists on the target with other values ({', '.join(differences[:3])})",
                    hint="v3 cannot update it: delete it on the target, or plan again",
                )
            return not differences
        if operation == "delete":
            return current is None
        verb = operation[5:] if operation.startswith("post:") else ""
        state = str(((current or {}).get("properties") or {}).get("resourceState", "")).lower()
        return verb in _STATES_AFTER and state in _STATES_AFTER[verb]


def _outcome(action) -> str:
    operation = action.operation
    if operation == "put":
        return "created" if action.change == "create" else "modified"
    if operation == "delete":
        return "deleted"
    verb = operation[5:]
    return {"start": "started", "stop": "stopped"}.get(verb, verb)


def _kind_phrase(kind: str) -> str:
    return "cannot be undone" if kind == "irreversible" else "belongs in the downtime window"


def _manual_step_text(action) -> str:
    return next((finding.message for finding in action.findings if finding.message), "")


def _copy_asset_names(action) -> tuple[str, str]:
    """(source asset, target asset): as the action's body names them, else its own name."""
    body = action.body or {}
    return body.get("sourceAssetName") or action.name, body.get("targetAssetName") or action.name


def _azcopy_line(source_sas: str, target_sas: str) -> str:
    # "<container>/*" copies the container's contents, not the container as a folder.
    base, _, query = source_sas.partition("?")
    return f"azcopy copy {shlex.quote(base + '/*?' + query)} {shlex.quote(target_sas)} --recursive"


def _dependency_graph(actions, by_address) -> nx.DiGraph:
    graph = nx.DiGraph()
    pending = {a.address for a in actions}
    graph.add_nodes_from(pending)
    for action in actions:
        for dependency in action.depends_on:
            if dependency not in by_address:
                raise PlanFormatError(
                    f"{action.address} depends on {dependency}, which is not in the plan", hint="regenerate the plan"
                )
            if dependency in pending:
                graph.add_edge(dependency, action.address)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " -> ".join(edge[0] for edge in nx.find_cycle(graph))
        raise PlanFormatError(f"the plan's dependencies form a cycle: {cycle}", hint="regenerate the plan")
    return graph


# --- one apply or dry run, as the CLI and the demo call them ------------------------------


@dataclass(frozen=True)
class ApplySettings:
    journal_path: Path
    parallel: int = 4
    phases: tuple[str, ...] = ()
    inventory_path: Path | None = None
    script_dir: Path | None = None


def apply_plan(
    plan,
    plan_checksum: str,
    client,
    settings: ApplySettings,
    *,
    reporter: Reporter,
    confirm: ConfirmCallback = refuse_all,
    target_fingerprint: TargetFingerprint | None = None,
    source_client=None,
) -> ApplyResult:
    """Check the plan is current, then apply it under the journal's writer lock.

    ``source_client`` reads the source account when it sits behind another ARM endpoint.
    """
    with Journal.open(settings.journal_path, plan_checksum) as journal:
        check_plan_is_current(
            plan, journal, inventory_path=settings.inventory_path, target_fingerprint=target_fingerprint
        )
        source_client = source_client or client
        needs_secrets = any(action.secret_refs for action in plan.actions)
        executor = PlanExecutor(
            client,
            journal,
            reporter,
            parallel=settings.parallel,
            confirm=confirm,
            secrets=SecretResolver(source_client, source_account(plan)) if needs_secrets else None,
            script_dir=settings.script_dir,
            source_client=source_client,
        )
        return executor.apply(plan, settings.phases or None)


@dataclass(frozen=True)
class DryRunResult:
    result: ApplyResult
    requests: tuple  # migrator.transport.RecordedRequest, in order
    confirmations: tuple[ConfirmRequest, ...]

    @property
    def mutating(self) -> tuple:
        return tuple(r for r in self.requests if not r.sent and r.method != "GET")

    def closing_line(self) -> str:
        counts = self.result.closing_line().partition(": ")[2]
        return f"Dry run complete, nothing sent: {len(self.mutating)} request(s) would change the target; {counts}"


def dry_run_plan(
    plan,
    plan_checksum: str,
    client,
    recording,
    settings: ApplySettings,
    *,
    reporter: Reporter,
    reads_through: bool = True,
    target_fingerprint: TargetFingerprint | None = None,
) -> DryRunResult:
    """The same executor over a recording transport and a throw-away copy of the journal.

    ``client`` must sit on a session that ``migrator.transport.record_session`` has wrapped
    (``recording`` is what it returned). Confirmations are answered yes and listed; secrets
    are never fetched (bodies keep their placeholders); no azcopy script is written.
    """
    asked: list[ConfirmRequest] = []

    def record_confirmation(request: ConfirmRequest) -> bool:
        asked.append(request)
        return True

    with Journal.open(IN_MEMORY, plan_checksum, seed_from=settings.journal_path) as journal:
        check_plan_is_current(
            plan,
            journal,
            inventory_path=settings.inventory_path,
            target_fingerprint=target_fingerprint if reads_through else None,
        )
        executor = PlanExecutor(
            client, journal, reporter, parallel=settings.parallel, confirm=record_confirmation, secrets=PlaceholderSecrets()
        )
        result = executor.apply(plan, settings.phases or None)
    return DryRunResult(result, tuple(recording.requests), tuple(asked))
