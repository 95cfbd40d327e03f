"""Write a new-account style plan of creates for the apply benchmark (setup, not timed).

Per asset three creates, as a new-account plan holds them: the asset (phase ``prepare``),
then an asset filter and a streaming locator that depend on it (phase ``publish``). Names,
locator ids and filter bodies follow the shapes the planner writes for the sandbox's seeded
accounts; every body is checked with ``migrator.openapi.validator.validate_resource_body``
before the plan is saved, so a create can only fail because of the run itself.

The target is the sandbox's empty target account; the plan is unrefreshed (nothing to read
before the first write), exactly like ``migrator plan --no-refresh`` into an empty account.

    python3 bench/apply/make_plan.py --assets 1000 --out /tmp/apply-bench/plan-1000.json
"""

from __future__ import annotations

import argparse
import hashlib
import uuid
from pathlib import Path

from migrator import __version__
from migrator.openapi.validator import validate_resource_body
from migrator.plan import AccountCoordinates, Action, Change, InventoryInfo, Phase, Plan, coverage_of, order_actions, save
from migrator.sandbox.app import RESOURCE_GROUP, SOURCE_ACCOUNT, SUBSCRIPTION_ID, TARGET_ACCOUNT

ASSET = "Microsoft.Media/mediaServices/assets"
ASSET_FILTER = "Microsoft.Media/mediaServices/assets/assetFilters"
STREAMING_LOCATOR = "Microsoft.Media/mediaServices/streamingLocators"
# The endpoint recorded in the plan; the benchmark hands apply the sandbox's real one.
RECORDED_ENDPOINT = "http://127.0.0.1"
_NAMESPACE = uuid.UUID("6f1c1f0e-7a53-4d0b-9a7e-0c3b8f0a5b21")
# A filter body as the planner writes one for a v2 "audio-only" asset filter.
_FILTER_BODY = {
    "properties": {
        "presentationTimeRange": {
            "endTimestamp": 9223372036854775807,
            "forceEndTimestamp": False,
            "liveBackoffDuration": 0,
            "presentationWindowDuration": 9223372036854775807,
            "startTimestamp": 0,
            "timescale": 10000000,
        },
        "tracks": [{"trackSelections": [{"operation": "Equal", "property": "Type", "value": "audio"}]}],
    }
}


def _guid(kind: str, index: int, seed: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{seed}/{kind}/{index}"))


def actions_for_asset(index: int, seed: int) -> list[Action]:
    asset = _guid("asset", index, seed)
    locator = _guid("locator", index, seed)
    asset_address = f"assets/{asset}"
    return [
        Action(
            address=asset_address,
            change=Change.CREATE,
            resource_type=ASSET,
            name=asset,
            operation="put",
            phase=Phase.PREPARE,
            sources=(f"nb:cid:UUID:{asset}",),
            body={"properties": {"description": f"bench asset {index}"}},
        ),
        Action(
            address=f"{asset_address}/assetFilters/audio-only",
            change=Change.CREATE,
            resource_type=ASSET_FILTER,
            name=f"{asset}/audio-only",
            operation="put",
            phase=Phase.PUBLISH,
            sources=(f"nb:cid:UUID:{asset}__###__audio-only",),
            depends_on=(asset_address,),
            body=_FILTER_BODY,
        ),
        Action(
            address=f"streamingLocators/{locator}",
            change=Change.CREATE,
            resource_type=STREAMING_LOCATOR,
            name=locator,
            operation="put",
            phase=Phase.PUBLISH,
            sources=(f"nb:lid:UUID:{locator}",),
            depends_on=(asset_address,),
            body={
                "properties": {
                    "assetName": asset,
                    "streamingLocatorId": locator,
                    "streamingPolicyName": "Predefined_ClearStreamingOnly",
                    "startTime": "2021-07-07T13:30:35Z",
                    "endTime": "2121-07-08T13:30:35Z",
                }
            },
        ),
    ]


def check_bodies(actions: list[Action]) -> None:
    """Refuse to write a plan the sandbox would reject."""
    for action in actions:
        errors = validate_resource_body(action.resource_type, action.body)
        if errors:
            raise SystemExit(f"{action.address}: body does not validate: {errors[:3]}")


def build_plan(assets: int, seed: int = 1) -> Plan:
    actions = [a for index in range(assets) for a in actions_for_asset(index, seed)]
    check_bodies(actions)
    counts = {"Assets": assets, "AssetFilters": assets, "Locators": assets}
    fingerprint = "sha256:" + hashlib.sha256(f"apply-bench/{seed}/{assets}".encode()).hexdigest()
    return Plan(
        tool_version=__version__,
        mode="new-account",
        refreshed=False,
        inventory=InventoryInfo(fingerprint, "bench", "2024-06-01T00:00:00Z", counts),
        target=AccountCoordinates(RECORDED_ENDPOINT, SUBSCRIPTION_ID, RESOURCE_GROUP, TARGET_ACCOUNT),
        source=AccountCoordinates(RECORDED_ENDPOINT, SUBSCRIPTION_ID, RESOURCE_GROUP, SOURCE_ACCOUNT),
        actions=order_actions(actions),
        coverage=coverage_of(counts, counts),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1000, help="three creates per asset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    checksum = save(build_plan(args.assets, args.seed), args.out)
    print(f"{args.out}: {3 * args.assets} actions, {checksum}")


if __name__ == "__main__":
    main()
