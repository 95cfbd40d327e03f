"""Streaming endpoints: visible and updatable in the same account; recreated in a new one."""

from __future__ import annotations

from typing import Any

from migrator.plan import Phase
from migrator.v3.ids import ResourceType

from migrator.mappings import tables
from migrator.mappings.base import (
    ACCOUNT_LOCATION_PLACEHOLDER,
    MappingContext,
    manual,
    Proposal,
    Refresh,
    enum_value,
    guid_of,
    resource_action,
)
from migrator.mappings.catalog import finding
from migrator.mappings.live import _ip_allow
from migrator.mappings.naming import v3_name
from migrator.mappings.quotas import Ranking, ranking

DEFAULT_ENDPOINT = "default"


def map_streaming_endpoint(endpoint, ctx: MappingContext) -> list[Proposal]:
    name, renamed = v3_name(ResourceType.STREAMING_ENDPOINT, endpoint.name, fallback=guid_of(endpoint.id).replace("-", "")[:24])
    if not ctx.new_account:
        return [
            resource_action(
                ResourceType.STREAMING_ENDPOINT, name, None, sources=(endpoint.id,), phase=Phase.PREPARE,
                findings=(finding("ASSET_VISIBLE"),), refresh=Refresh.VISIBLE,
            )
        ]
    quota = endpoint_ranking(ctx)
    if not quota.fits(endpoint.id):
        return [_over_quota(endpoint, quota, ctx)]
    findings = [renamed] if renamed else []
    properties: dict[str, Any] = {"scaleUnits": endpoint.scale_units or 0}
    description = endpoint.description or ""
    if renamed:
        description = f"{description} (v2 name: {endpoint.name})".strip()
    if description:
        properties["description"] = description
    if endpoint.custom_host_names:
        properties["customHostNames"] = list(endpoint.custom_host_names)
        findings.append(finding("ENDPOINT_CUSTOM_HOSTS", ", ".join(endpoint.custom_host_names)))
    if endpoint.cdn_enabled:
        properties["cdnEnabled"] = True
        provider = tables.CDN_PROVIDERS.get(enum_value(endpoint.cdn_provider))
        if provider:
            properties["cdnProvider"] = provider
        if endpoint.cdn_profile:
            properties["cdnProfile"] = endpoint.cdn_profile
        findings.append(finding("ENDPOINT_CDN"))
    access = endpoint.access_control
    allow = _ip_allow(access)
    if allow is not None:
        properties["accessControl"] = {"ip": {"allow": allow}}
    if getattr(getattr(access, "akamai", None), "akamai_signature_header_authentication_key_list", None):
        findings.append(finding("ENDPOINT_AKAMAI"))
    max_age = getattr(endpoint.cache_control, "max_age", None)
    if max_age is not None:
        properties["maxCacheAge"] = int(max_age)
    policies = endpoint.cross_site_access_policies
    if policies is not None and (policies.client_access_policy or policies.cross_domain_policy):
        properties["crossSiteAccessPolicies"] = {
            k: v for k, v in (("clientAccessPolicy", policies.client_access_policy), ("crossDomainPolicy", policies.cross_domain_policy)) if v
        }
    body = {"location": ctx.location or ACCOUNT_LOCATION_PLACEHOLDER, "properties": properties}
    return [resource_action(ResourceType.STREAMING_ENDPOINT, name, body, sources=(endpoint.id,), phase=Phase.PREPARE, findings=tuple(findings))]


def endpoint_ranking(ctx: MappingContext) -> Ranking:
    """The account's endpoints in the order they get the 2 v3 places: the default endpoint
    first (clients reach it without custom host names), then the oldest."""
    def ordered() -> list[str]:
        endpoints = [ctx.entity("StreamingEndpoints", k) for k in ctx.graph.keys("StreamingEndpoints")]
        return [e.id for e in sorted(filter(None, endpoints), key=_endpoint_order)]

    return ranking(ctx, "streamingEndpoints", ("account",), ordered)


def _endpoint_order(endpoint) -> tuple:
    created = endpoint.created.isoformat() if endpoint.created is not None else "~"
    return ((endpoint.name or "").lower() != DEFAULT_ENDPOINT, created, endpoint.id)


def _over_quota(endpoint, quota: Ranking, ctx: MappingContext) -> Proposal:
    kept = [getattr(ctx.entity("StreamingEndpoints", k), "name", k) for k in quota.kept()]
    hosts = ", ".join(endpoint.custom_host_names or ()) or "none"
    message = (
        f"{quota.over_message(endpoint.id, f'streaming endpoint {endpoint.name}', 'an account')}; "
        f"not created: move its custom host names ({hosts}) and clients onto {' or '.join(kept)}, "
        "or ask for a quota increase and create it by hand"
    )
    return manual("StreamingEndpoints", endpoint.id, finding("QUOTA_EXCEEDED", message), sources=(endpoint.id,))
