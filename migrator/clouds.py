"""Sovereign-cloud endpoints: the AAD authority and the resources each API answers to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    name: str
    authority_host: str
    v2_resource: str
    arm_endpoint: str
    arm_resource: str

    def authority(self, tenant_id: str) -> str:
        return f"{self.authority_host}/{tenant_id}"

    @property
    def v2_scope(self) -> str:
        return f"{self.v2_resource}/.default"

    @property
    def arm_scope(self) -> str:
        return f"{self.arm_resource}/.default"


# v2 resources are the .NET SDK's AzureEnvironmentConstants (reference protocol.md section 3).
CLOUDS: dict[str, Cloud] = {
    "AzureCloud": Cloud(
        name="AzureCloud",
        authority_host="https://login.microsoftonline.com",
        v2_resource="https://rest.media.azure.net",
        arm_endpoint="https://management.azure.com",
        arm_resource="https://management.azure.com",
    ),
    "AzureChinaCloud": Cloud(
        name="AzureChinaCloud",
        authority_host="https://login.chinacloudapi.cn",
        v2_resource="https://rest.media.chinacloudapi.cn",
        arm_endpoint="https://management.chinacloudapi.cn",
        arm_resource="https://management.chinacloudapi.cn",
    ),
    "AzureUSGovernment": Cloud(
        name="AzureUSGovernment",
        authority_host="https://login.microsoftonline.us",
        v2_resource="https://rest.media.usgovcloudapi.net",
        arm_endpoint="https://management.usgovcloudapi.net",
        arm_resource="https://management.usgovcloudapi.net",
    ),
}


def get_cloud(name: str) -> Cloud:
    from migrator.exceptions import ConfigError

    try:
        return CLOUDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown cloud {name!r}", hint=f"choose one of {', '.join(CLOUDS)}"
        ) from None
