"""The content-copy step asks for its container SAS URLs on the worker pool, not one by one."""

from __future__ import annotations

import stat
import threading

import pytest

from migrator.console import SilentReporter
from migrator.exceptions import UnreachableError
from migrator.executor import ConfirmRequest, PlanExecutor
from migrator.journal import ActionState
from migrator.plan import Phase
from migrator.v3.ids import ResourceType, resource_id

from apply_fixtures import SOURCE, TARGET, FakeArm, make_action, make_plan

ASSETS = [f"a{n:02d}" for n in range(8)]


def sas_rid(asset: str, account=TARGET) -> str:
    return resource_id(account, ResourceType.ASSET, asset).id + "/listContainerSas"


def copy_plan(assets=ASSETS):
    copies = [
        make_action(f"copies/{a}", resource_type="copy:blobs", name=a, operation="content-copy", body=None, phase=Phase.CONTENT_COPY)
        for a in assets
    ]
    return make_plan(copies, mode="new-account", source=SOURCE)


def answer_every_sas(arm: FakeArm, assets=ASSETS) -> None:
    for a in assets:
        arm.post_answers[sas_rid(a, SOURCE)] = {"assetContainerSasUrls": [f"https://src.example/{a}?sig=SRC{a.upper()}SIG"]}
        arm.post_answers[sas_rid(a)] = {"assetContainerSasUrls": [f"https://dst.example/{a}?sig=DST{a.upper()}SIG"]}


def run(arm, journal, tmp_path, *, parallel: int, confirm=lambda request: True):
    return PlanExecutor(arm, journal, SilentReporter(), parallel=parallel, confirm=confirm, script_dir=tmp_path).apply(copy_plan())


def test_sas_requests_of_a_generation_run_in_parallel_up_to_the_bound(journal, tmp_path):
    arm = FakeArm(delay=0.05)
    answer_every_sas(arm)
    result = run(arm, journal, tmp_path, parallel=4)
    assert arm.max_active == 4
    assert result.outcomes == {"copied": 8}


class ReversedAnswers(FakeArm):
    """The earlier an asset comes in the plan, the later its SAS answers arrive."""

    def post(self, rid, action, body=None):
        asset = rid.rsplit("/", 1)[-1]
        threading.Event().wait(0.02 * (len(ASSETS) - ASSETS.index(asset)))
        return super().post(rid, action, body)


def test_the_script_lists_the_assets_in_plan_order_whatever_order_the_answers_come_in(journal, tmp_path):
    arm = ReversedAnswers()
    answer_every_sas(arm)
    result = run(arm, journal, tmp_path, parallel=8)
    script = tmp_path / result.scripts[0].rsplit("/", 1)[-1]
    assert stat.S_IMODE(script.stat().st_mode) == 0o600
    copy_lines = [line for line in script.read_text().splitlines() if line.startswith("azcopy copy")]
    assert copy_lines == [
        f"azcopy copy 'https://src.example/{a}/*?sig=SRC{a.upper()}SIG' 'https://dst.example/{a}?sig=DST{a.upper()}SIG' --recursive"
        for a in ASSETS
    ]


def test_sas_urls_reach_neither_the_journal_nor_the_confirmation_message(journal, tmp_path):
    arm = FakeArm()
    answer_every_sas(arm)
    asked: list[ConfirmRequest] = []
    run(arm, journal, tmp_path, parallel=4, confirm=lambda request: asked.append(request) or True)
    journal_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("apply.journal*"))
    for a in ASSETS:
        assert f"SRC{a.upper()}SIG".encode() not in journal_bytes and f"DST{a.upper()}SIG".encode() not in journal_bytes
    (request,) = asked
    assert "SIG" not in request.message and request.kind == "content-copy"


class UnreachableFor(FakeArm):
    def __init__(self, broken: str, **kw) -> None:
        super().__init__(**kw)
        self.broken = broken

    def post(self, rid, action, body=None):
        if rid.endswith("/" + self.broken):
            raise UnreachableError("management.example is unreachable")
        return super().post(rid, action, body)


def test_an_unreachable_target_during_the_sas_requests_stops_the_run_before_any_confirmation(journal, tmp_path):
    arm = UnreachableFor("a03", delay=0.01)
    answer_every_sas(arm)
    asked: list[ConfirmRequest] = []
    with pytest.raises(UnreachableError):
        run(arm, journal, tmp_path, parallel=2, confirm=lambda request: asked.append(request) or True)
    assert asked == [] and list(tmp_path.glob("azcopy-*.sh")) == []
    states = {a: journal.get(f"copies/{a}").state for a in ASSETS}
    assert ActionState.DONE not in states.values()  # nothing counts as copied: the next run asks again
