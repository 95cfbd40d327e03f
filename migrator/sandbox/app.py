"""``Sandbox``: the emulated Media Services world one command or test fixture starts.

Two accounts in one subscription on one loopback server: the *source* account (seeded or
loaded v2 data, with its v2 face at ``/api/`` and its v3 face showing that data as
documented) and an empty *target* account (the destination of a new-account migration).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from migrator.sandbox.server import SandboxServer
from migrator.sandbox.throttle import Throttle, ThrottleSettings
from migrator.sandbox.v2data import V2Data, load_inventory
from migrator.sandbox.v3face import AccountInfo, AssetFiles, V3Account, V3Face, V3Settings
from migrator.sandbox.visibility import V2Projection, VisibilityAssumptions

DEFAULT_TOKEN = "sandbox-fake-token-not-a-secret"
SUBSCRIPTION_ID = "00000000-0000-0000-0000-00000000a3a5"
RESOURCE_GROUP = "ams-sandbox-rg"
SOURCE_ACCOUNT = "amssource"
TARGET_ACCOUNT = "amstarget"
LOCATION = "westus2"
TARGET_STORAGE = "amstargetstorage"
DEFAULT_SOURCE_STORAGE = "amssourcestorage"
_CONTAINER_OF_V2_ASSET = re.compile(r"^asset-([0-9a-fA-F-]{36})$")


@dataclass(frozen=True)
class AccountDescription:
    resource_group: str
    account_name: str
    location: str
    storage_accounts: tuple[str, ...]
    id: str


@dataclass(frozen=True)
class SandboxDescription:
    v2_endpoint: str
    arm_endpoint: str
    subscription_id: str
    token: str
    source: AccountDescription
    target: AccountDescription

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sandbox:
    """Start with ``start()`` or ``with Sandbox(...) as sandbox:``; ``describe()`` says where."""

    def __init__(
        self,
        *,
        seed: int = 1,
        assets: int = 100,
        data: V2Data | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int = 0,
        v2_latency_ms: int | None = None,
        v3_latency_ms: int | None = None,
        throttle: ThrottleSettings | None = None,
        v2_throttle: Any = None,
        token: str = DEFAULT_TOKEN,
        require_exact_token: bool = False,
        page_size: int = 10,
        lro_polls: int = 1,
        retry_after: int = 1,
        assumptions: VisibilityAssumptions = VisibilityAssumptions(),
    ) -> None:
        from migrator.sandbox.v2face import V2Face

        self.token = token
        self.data = data if data is not None else _seeded(seed, assets)
        source_info = AccountInfo(SUBSCRIPTION_ID, RESOURCE_GROUP, SOURCE_ACCOUNT, LOCATION, _storage_accounts(self.data))
        target_info = AccountInfo(SUBSCRIPTION_ID, RESOURCE_GROUP, TARGET_ACCOUNT, LOCATION, (TARGET_STORAGE,))
        self.projection = V2Projection(
            self.data, source_info.id, LOCATION, assumptions, key_value=getattr(self.data, "clear_key_value_of", None)
        )
        self.source = V3Account(source_info, self.projection)
        self.target = V3Account(target_info)
        settings = V3Settings(page_size, lro_polls, retry_after, token if require_exact_token else None)
        self.v3_face = V3Face(
            [self.source, self.target],
            settings=settings,
            throttle=Throttle(throttle or ThrottleSettings.off()),
            latency_ms=latency_ms if v3_latency_ms is None else v3_latency_ms,
            asset_files=self._asset_files,
        )
        v2_options: dict[str, Any] = {
            "token": token if require_exact_token else None,
            "latency_ms": latency_ms if v2_latency_ms is None else v2_latency_ms,
        }
        if v2_throttle is not None:
            v2_options["throttle"] = v2_throttle
        self.v2_face = V2Face(self.data, **v2_options)
        self.server = SandboxServer(self.v2_face, self.v3_face, host=host, port=port)

    @classmethod
    def from_inventory(cls, path: str | Path, **options: Any) -> "Sandbox":
        """A sandbox whose source account holds the v2 entities of an inventory snapshot."""
        return cls(data=load_inventory(Path(path)), **options)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "Sandbox":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def request_log(self):
        return self.server.log

    def describe(self) -> SandboxDescription:
        return SandboxDescription(
            v2_endpoint=f"{self.base_url}/api/",
            arm_endpoint=self.base_url,
            subscription_id=SUBSCRIPTION_ID,
            token=self.token,
            source=_describe(self.source),
            target=_describe(self.target),
        )

    # ------------------------------------------------------------ blobs

    def _asset_files(self, account: V3Account, asset: dict) -> AssetFiles:
        """The blobs behind an asset: its own v2 files, or those of the v2 asset whose
        container it points at (a new-account migration that kept ``asset-<guid>``)."""
        candidates = [asset["name"]] if account is self.source else []
        candidates.append(_v2_guid_of_container(asset["properties"].get("container", "")))
        for candidate in filter(None, candidates):
            manifest = self.projection.manifest_name(candidate)
            if manifest is not None:
                return AssetFiles(manifest, self.projection.file_names(candidate))
        return AssetFiles(None)


def _seeded(seed: int, assets: int) -> V2Data:
    from migrator.sandbox.seed import SeededV2Data

    return SeededV2Data(seed, assets)


def _storage_accounts(data: V2Data) -> tuple[str, ...]:
    """The v2 account's storage accounts, default first."""
    records = data.page("StorageAccounts", 0, 100)
    ordered = sorted(records, key=lambda r: (not r.get("IsDefault"), r["Name"]))
    return tuple(r["Name"] for r in ordered) or (DEFAULT_SOURCE_STORAGE,)


def _v2_guid_of_container(container: str) -> str | None:
    found = _CONTAINER_OF_V2_ASSET.match(container or "")
    return found.group(1) if found else None


def _describe(account: V3Account) -> AccountDescription:
    info = account.info
    return AccountDescription(info.resource_group, info.name, info.location, info.storage_accounts, info.id)
