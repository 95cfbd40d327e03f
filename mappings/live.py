"""Live: channels -> live events, programs -> live outputs, live operation records.

Nothing live moves seamlessly: channels are stopped and the live events started inside a
downtime window, and encoders switch to the new ingest URLs. RTP/MPEG-TS channels have no v3
ingest protocol at all.
"""

from __future__ import annotations

from typing import Any

from migrator.plan import Phase
from migrator.v3.ids import ResourceType

from migrator.mappings import tables
from migrator.mappings.assets import asset_name
from migrator.mappings.base import (
    ACCOUNT_LOCATION_PLACEHOLDER,
    MappingContext,
    Proposal,
    address_of,
    enum_name,
    enum_value,
    guid_of,
    ignore,
    iso_duration,
    manual,
    resource_action,
    unsupported,
)
from migrator.mappings.catalog import finding
from migrator.mappings.naming import v3_name
from migrator.mappings.quotas import Ranking, ranking

RUNNING_STATES = frozenset({1, 2})  # Starting, Running
DEFAULT_ARCHIVE_WINDOW = "PT1H"


def live_event_name(channel) -> tuple[str, Any]:
    return v3_name(ResourceType.LIVE_EVENT, channel.name, fallback=guid_of(channel.id)[:32].replace("-", ""))


def map_channel(channel, ctx: MappingContext) -> list[Proposal]:
    protocol = enum_value(getattr(channel.input, "streaming_protocol", None))
    if protocol not in tables.LIVE_INPUT_PROTOCOLS:
        return [unsupported("Channels", channel.id, finding("CHANNEL_PROTOCOL_UNSUPPORTED", f"channel {channel.name} ingests {enum_name(getattr(channel.input, 'streaming_protocol', None))}"), phase=Phase.CUTOVER)]
    name, renamed = live_event_name(channel)
    events = live_event_ranking(ctx)
    if not events.fits(channel.id):
        message = f"{events.over_message(channel.id, f'channel {channel.name}', 'an account')}; not created: retire a channel or ask for a quota increase, then create the live event by hand"
        return [manual("Channels", channel.id, finding("QUOTA_EXCEEDED", message), phase=Phase.CUTOVER, downtime=True)]
    findings = [finding("CHANNEL_DOWNTIME")]
    if renamed:
        findings.append(renamed)
    running = enum_value(channel.state) in RUNNING_STATES
    if running:
        findings.append(finding("CHANNEL_RUNNING", f"channel {channel.name} is {enum_name(channel.state)}"))
    properties: dict[str, Any] = {"input": {"streamingProtocol": tables.LIVE_INPUT_PROTOCOLS[protocol]}}
    description = channel.description or ""
    if renamed:
        description = f"{description} (v2 name: {channel.name})".strip()
    if description:
        properties["description"] = description
    key_frame = iso_duration(getattr(channel.input, "key_frame_interval", None))
    if key_frame:
        properties["input"]["keyFrameIntervalDuration"] = key_frame
    allow = _ip_allow(getattr(channel.input, "access_control", None))
    if allow is not None:
        properties["input"]["accessControl"] = {"ip": {"allow": allow}}
    preview_allow = _ip_allow(getattr(channel.preview, "access_control", None))
    if preview_allow is not None:
        properties["preview"] = {"accessControl": {"ip": {"allow": preview_allow}}}
    encoding = enum_value(channel.encoding_type)
    if encoding in tables.LIVE_ENCODING_TYPES:
        properties["encoding"] = {"encodingType": tables.LIVE_ENCODING_TYPES[encoding]}
    policies = channel.cross_site_access_policies
    if policies is not None and (policies.client_access_policy or policies.cross_domain_policy):
        properties["crossSiteAccessPolicies"] = {
            k: v for k, v in (("clientAccessPolicy", policies.client_access_policy), ("crossDomainPolicy", policies.cross_domain_policy)) if v
        }
    if channel.vanity_url:
        properties["useStaticHostname"] = True
    body = {"location": ctx.location or ACCOUNT_LOCATION_PLACEHOLDER, "properties": properties}
    return [
        resource_action(
            ResourceType.LIVE_EVENT, name, body, sources=(channel.id,), phase=Phase.CUTOVER,
            findings=tuple(findings), downtime=True, irreversible=running,
        )
    ]


def live_event_ranking(ctx: MappingContext) -> Ranking:
    """Channels that become live events, in the order they get the account's 5 places:
    running ones first (they carry viewers now), then the oldest."""
    def ordered() -> list[str]:
        channels = (ctx.entity("Channels", k) for k in ctx.graph.keys("Channels"))
        return [c.id for c in sorted((c for c in channels if c is not None and _has_v3_input(c)), key=_live_order)]

    return ranking(ctx, "liveEvents", ("account",), ordered)


def live_output_ranking(channel, ctx: MappingContext) -> Ranking:
    """The channel's programs that become live outputs, in the order they get its 3 places."""
    def ordered() -> list[str]:
        programs = (ctx.entity("Programs", k) for k in ctx.graph.needed_by_keys("Channels", channel.id, "Programs"))
        kept = (p for p in programs if p is not None and ctx.graph.need_keys("Programs", p.id, "Assets"))
        return [p.id for p in sorted(kept, key=_live_order)]

    return ranking(ctx, "liveOutputsPerLiveEvent", (channel.id,), ordered)


def _has_v3_input(channel) -> bool:
    return enum_value(getattr(channel.input, "streaming_protocol", None)) in tables.LIVE_INPUT_PROTOCOLS


def _live_order(entity) -> tuple:
    created = entity.created.isoformat() if entity.created is not None else "~"
    return (enum_value(entity.state) not in RUNNING_STATES, created, entity.id)


def _ip_allow(access_control) -> list[dict[str, Any]] | None:
    ranges = getattr(getattr(access_control, "ip", None), "allow", None)
    if ranges is None:
        return None
    allow = []
    for r in ranges:
        item = {k: v for k, v in (("name", r.name), ("address", r.address), ("subnetPrefixLength", r.subnet_prefix_length)) if v is not None}
        allow.append(item)
    return allow


def map_program(program, ctx: MappingContext) -> list[Proposal]:
    channels = ctx.graph.need_keys("Programs", program.id, "Channels")
    channel = ctx.entity("Channels", channels[0]) if channels else None
    protocol = enum_value(getattr(getattr(channel, "input", None), "streaming_protocol", None))
    if channel is None or protocol not in tables.LIVE_INPUT_PROTOCOLS:
        return [unsupported("Programs", program.id, finding("PROGRAM_WITHOUT_CHANNEL", f"program {program.name}"), phase=Phase.CUTOVER)]
    event, _ = live_event_name(channel)
    name, renamed = v3_name(ResourceType.LIVE_OUTPUT, program.name, fallback=guid_of(program.id).replace("-", ""))
    findings = [renamed] if renamed else []
    if enum_value(program.state) in RUNNING_STATES:
        findings.append(finding("PROGRAM_RUNNING", f"program {program.name} is {enum_name(program.state)}"))
    assets = ctx.graph.need_keys("Programs", program.id, "Assets")
    if not assets:
        return [unsupported("Programs", program.id, finding("GRAPH_DANGLING_REFERENCE", f"program {program.name} has no archive asset in the inventory"), phase=Phase.CUTOVER)]
    if not live_event_ranking(ctx).fits(channel.id):
        message = f"program {program.name}: the live event of channel {channel.name} is over the account's quota and not created"
        return [manual("Programs", program.id, finding("QUOTA_EXCEEDED", message), phase=Phase.CUTOVER, downtime=True)]
    outputs = live_output_ranking(channel, ctx)
    if not outputs.fits(program.id):
        message = f"{outputs.over_message(program.id, f'program {program.name}', f'live event {event}')}; not created: stop a program or create the live output by hand when a place frees up"
        return [manual("Programs", program.id, finding("QUOTA_EXCEEDED", message), phase=Phase.CUTOVER, downtime=True)]
    properties: dict[str, Any] = {
        "assetName": asset_name(assets[0]),
        "archiveWindowLength": iso_duration(program.archive_window_length) or DEFAULT_ARCHIVE_WINDOW,
    }
    if program.manifest_name:
        properties["manifestName"] = program.manifest_name
    description = program.description or ""
    if renamed:
        description = f"{description} (v2 name: {program.name})".strip()
    if description:
        properties["description"] = description
    return [
        resource_action(
            ResourceType.LIVE_OUTPUT, f"{event}/{name}", {"properties": properties}, sources=(program.id,),
            phase=Phase.CUTOVER,
            depends_on=(address_of(ResourceType.LIVE_EVENT, event), address_of(ResourceType.ASSET, asset_name(assets[0]))),
            findings=tuple(findings), downtime=True, irreversible=True,  # a live output starts on creation
        )
    ]


def map_operation(operation, ctx: MappingContext) -> list[Proposal]:
    return [ignore("Operations", operation.id, "LIVE_OPERATION_HISTORY")]
