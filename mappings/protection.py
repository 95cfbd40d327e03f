"""Content protection: content keys, key authorization policies -> content key policies,
asset delivery policies -> streaming policies.

v3 attaches protection to the streaming locator: a streaming policy (schemes and protocols),
a content key policy (how keys are delivered, to whom) and the keys themselves. So the unit
this module plans is an asset's *publishing profile*: the streaming policy its delivery policies
make, the content key policy its keys' authorization policies make, and the keys with labels.

Policies are deduplicated by canonical form: two assets whose delivery policies say the same
thing share one v3 streaming policy, named by a hash of that form, so the plan creates the
fewest policies a 1:1 copy allows (and then checks the 100-policy quota).

Secrets never enter a body: token signing keys and FairPlay ASK/PFX/password are the
placeholder ``"{secret}"`` with a ``secret_refs`` entry naming the source policy and option;
key values are fetched from the source locator at apply time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Iterator
from urllib.parse import urlsplit

from migrator.exceptions import InputError, UnsafeXmlError
from migrator.plan import Finding, Phase, SecretRef
from migrator.v2.xmlsafe import parse_xml
from migrator.v3.ids import ResourceType

from migrator.mappings import tables
from migrator.mappings.base import (
    MappingContext,
    Proposal,
    Refresh,
    address_of,
    canonical_hash,
    enum_name,
    enum_value,
    guid_of,
    ignore,
    manual,
    resource_action,
    unsupported,
)
from migrator.mappings.catalog import finding

log = logging.getLogger("migrator.mappings.protection")

SECRET = "{secret}"
POLICY_PREFIX = "v2-"
KEY_POLICY_DESCRIPTION = "Migrated from v2 content key authorization policies (listed in the plan's sources)"

# v2 content key types (ContentKeyType) -> the label the streaming policy and locator share.
STREAMING_KEY_LABELS = {0: "cencKey", 6: "cbcsKey", 4: "envelopeKey"}
STORAGE_KEY_TYPE = 1
FAIRPLAY_SECRET_KEY_TYPES = frozenset({7, 8})


@dataclass(frozen=True)
class PublishingProfile:
    """How an asset's locators are published in v3 (new-account mode)."""

    streaming_policy: str
    content_key_policy: str | None
    keys: tuple[tuple[str, str, str], ...]  # (v2 key id, v3 key id, label)
    depends_on: tuple[str, ...]
    findings: tuple[Finding, ...]
    sources: tuple[str, ...] = ()  # the delivery policies and keys this profile accounts for
    blocked: bool = False
    over_quota: Finding | None = None  # its streaming policy would pass the account's quota


@dataclass
class _PolicyUse:
    body: dict[str, Any]
    sources: set[str] = field(default_factory=set)
    findings: dict[str, Finding] = field(default_factory=dict)
    secret_refs: tuple[SecretRef, ...] = ()


class ProtectionPlanner:
    """Builds publishing profiles asset by asset and remembers the policies they share.

    ``profile(asset_id)`` is called by the locator mapping; ``policy_proposals()`` at the end
    gives one action per distinct streaming and content key policy.
    """

    def __init__(self, ctx: MappingContext) -> None:
        self.ctx = ctx
        self._streaming: dict[str, _PolicyUse] = {}
        self._key_policies: dict[str, _PolicyUse] = {}
        self._streaming_by_adps: dict[tuple, tuple[str, tuple[Finding, ...], bool]] = {}
        # Key policy translations by what the options say, their ids aside (findings are kept
        # with the ids as slots): assets share a few option shapes, so each is translated and
        # hashed once.
        self._key_policy_by_shape: dict[bytes, tuple[str | None, frozenset[str], tuple[Finding, ...]]] = {}
        self._key_policy_by_ckaps: dict[tuple[str, ...], str | None] = {}
        # Authorization policies none of whose options v3 can express: a manual step each.
        self._inexpressible: dict[tuple[str, ...], tuple[set[str], tuple[Finding, ...]]] = {}
        # Streaming policies past the account's quota (in order of first use, i.e. of the
        # locators by v2 id): not planned; their locators become manual steps.
        self._over_quota: dict[str, Finding] = {}

    # -- per asset -----------------------------------------------------------------------

    def profile(self, asset_id: str) -> PublishingProfile:
        graph = self.ctx.graph
        adp_ids = tuple(graph.need_keys("Assets", asset_id, "AssetDeliveryPolicies"))
        keys = [self.ctx.entity("ContentKeys", k) for k in graph.need_keys("Assets", asset_id, "ContentKeys")]
        streaming_keys = [k for k in keys if k is not None and enum_value(k.content_key_type) in STREAMING_KEY_LABELS]
        policy_name, findings, blocked = self._streaming_policy_for(adp_ids, bool(streaming_keys))
        over_quota = self._over_quota.get(policy_name)
        labels = self._labels_of(policy_name)
        carried = [k for k in streaming_keys if STREAMING_KEY_LABELS[enum_value(k.content_key_type)] in labels]
        ckap_ids = tuple(sorted({k.authorization_policy_id for k in carried if k.authorization_policy_id and
                                 self.ctx.graph.need_keys("ContentKeys", k.id, "ContentKeyAuthorizationPolicies")}))
        key_policy = self._key_policy_for(ckap_ids) if ckap_ids else None
        depends = []
        if policy_name.startswith(POLICY_PREFIX):
            depends.append(address_of(ResourceType.STREAMING_POLICY, policy_name))
        if key_policy:
            depends.append(address_of(ResourceType.CONTENT_KEY_POLICY, key_policy))
        return PublishingProfile(
            streaming_policy=policy_name,
            content_key_policy=key_policy,
            keys=tuple(
                (k.id, guid_of(k.id), STREAMING_KEY_LABELS[enum_value(k.content_key_type)])
                for k in sorted(carried, key=lambda k: k.id)
            ),
            depends_on=tuple(depends),
            findings=findings,
            sources=adp_ids + tuple(k.id for k in carried),
            blocked=blocked,
            over_quota=over_quota,
        )

    def forget_assets(self) -> None:
        """Drop the memos of the locator mapping (per asset, for its further locators, and per
        option shape) once every locator is mapped: up to a million entries nothing else reads."""
        self._streaming_by_adps.clear()
        self._key_policy_by_ckaps.clear()
        self._key_policy_by_shape.clear()

    def _past_quota(self, name: str) -> bool:
        limit = tables.QUOTAS["streamingPolicies"]
        if name in self._streaming or len(self._streaming) < limit:
            return False
        self._over_quota.setdefault(name, finding(
            "QUOTA_EXCEEDED",
            f"streaming policy {name} would be number {limit + len(self._over_quota) + 1}; an account holds {limit}: "
            "not created, nor the locators that need it; give the assets' delivery policies a shared form",
        ))
        return True

    def _labels_of(self, policy_name: str) -> set[str]:
        use = self._streaming.get(policy_name)
        if use is None:
            return set()
        props = use.body["properties"]
        return {props[s]["contentKeys"]["defaultKey"]["label"] for s in _KEYED_SCHEMES if s in props}

    # -- streaming policies ------------------------------------------------------------------

    def _streaming_policy_for(self, adp_ids: tuple[str, ...], has_keys: bool) -> tuple[str, tuple[Finding, ...], bool]:
        memo_key = (adp_ids, has_keys)
        known = self._streaming_by_adps.get(memo_key)
        if known is None:
            adps = [a for a in (self.ctx.entity("AssetDeliveryPolicies", i) for i in adp_ids) if a is not None]
            properties, findings, blocked = streaming_policy_properties(adps)
            name = tables.predefined_streaming_policy(properties)
            if name is None:
                body = {"properties": properties}
                name = POLICY_PREFIX + canonical_hash(body)
                if self._past_quota(name):
                    known = self._streaming_by_adps[memo_key] = (name, tuple(findings), blocked)
                    return known
                use = self._streaming.setdefault(name, _PolicyUse(body))
                use.sources.update(a.id for a in adps)
                for f in findings:
                    use.findings.setdefault(f.code + f.message, f)
            known = self._streaming_by_adps[memo_key] = (name, tuple(findings), blocked)
        return known

    # -- content key policies ----------------------------------------------------------------

    def _key_policy_for(self, ckap_ids: tuple[str, ...]) -> str | None:
        if ckap_ids in self._key_policy_by_ckaps:
            return self._key_policy_by_ckaps[ckap_ids]
        members = [
            (ckap_id, option_id, option)
            for ckap_id in ckap_ids
            for option_id in self.ctx.graph.need_keys(
                "ContentKeyAuthorizationPolicies", ckap_id, "ContentKeyAuthorizationPolicyOptions"
            )
            if (option := self.ctx.entity("ContentKeyAuthorizationPolicyOptions", option_id)) is not None
        ]
        ids = [*ckap_ids, *(option_id for _, option_id, _ in members)]
        shape = _digest([len(ckap_ids), *(_option_shape(option) for _, _, option in members)])
        known = self._key_policy_by_shape.get(shape)
        if known is None:
            known = self._key_policy_by_shape[shape] = self._translate_key_policy(ckap_ids, members, ids)
        name, fairplay_key_ids, templates = known
        sources = {*ids, *fairplay_key_ids}
        findings = _filled(templates, ids)
        if name is None:
            self._inexpressible.setdefault(ckap_ids, (sources, findings))
        else:
            use = self._key_policies[name]
            use.sources.update(sources)
            for f in findings:
                use.findings.setdefault(f.code + f.message, f)
        self._key_policy_by_ckaps[ckap_ids] = name
        return name

    def _translate_key_policy(
        self, ckap_ids: tuple[str, ...], members: list[tuple[str, str, Any]], ids: list[str]
    ) -> tuple[str | None, frozenset[str], tuple[Finding, ...]]:
        """(content key policy name or None, FairPlay key ids, finding templates) of a shape
        first met; the policy is registered under its name with this first use's secret refs."""
        options: list[dict[str, Any]] = []
        identities: list[str] = []
        refs: list[SecretRef] = []
        findings: list[Finding] = []
        fairplay_key_ids: set[str] = set()
        for ckap_id, _, option in members:
            translated = translate_option(option, ckap_id, len(options))
            findings.extend(translated.findings)
            fairplay_key_ids.update(translated.fairplay_key_ids)
            if translated.option is not None:
                options.append(translated.option)
                identities.append(translated.secret_identity)
                refs.extend(translated.secret_refs)
        name = None
        if options:
            body = {"properties": {"description": KEY_POLICY_DESCRIPTION, "options": options}}
            # Bodies hold "{secret}" where the signing keys and FairPlay secrets go, so equal
            # bodies may still differ in secrets: the name also covers a digest of the
            # templates, and only policies with the very same secrets are shared.
            name = POLICY_PREFIX + canonical_hash([body, identities])
            self._key_policies.setdefault(name, _PolicyUse(body, secret_refs=tuple(refs)))
        return name, frozenset(fairplay_key_ids), _finding_templates(findings, ids)

    # -- the shared policies as actions --------------------------------------------------------

    def policy_proposals(self) -> Iterator[Proposal]:
        for name, use in sorted(self._streaming.items()):
            yield resource_action(
                ResourceType.STREAMING_POLICY, name, use.body, sources=tuple(use.sources), phase=Phase.PUBLISH,
                findings=_dedup_findings(use, "streaming policy"),
            )
        for name, use in sorted(self._key_policies.items()):
            yield resource_action(
                ResourceType.CONTENT_KEY_POLICY, name, use.body, sources=tuple(use.sources), phase=Phase.PUBLISH,
                findings=_dedup_findings(use, "content key policy"), secret_refs=use.secret_refs,
            )
        for ckap_ids, (sources, findings) in sorted(self._inexpressible.items()):
            yield manual(
                "ContentKeyAuthorizationPolicies", ckap_ids[0], *(findings or (finding("KEY_OPTION_UNREADABLE"),)),
                sources=tuple(sources), phase=Phase.PUBLISH,
            )


def _digest(shape: list) -> bytes:
    """A short key for a shape: shapes hold whole templates, and an account has thousands."""
    return hashlib.sha256(repr(shape).encode()).digest()


def _finding_templates(findings: list[Finding], ids: list[str]) -> tuple[Finding, ...]:
    """Findings with the v2 ids of one use replaced by their positions, to fill for the next."""
    return _swapped(findings, ids, _slots(len(ids)))


def _filled(templates: tuple[Finding, ...], ids: list[str]) -> tuple[Finding, ...]:
    return _swapped(templates, _slots(len(ids)), ids)


def _slots(count: int) -> list[str]:
    return [f"\x00{position}\x00" for position in range(count)]


def _swapped(findings, old: list[str], new: list[str]) -> tuple[Finding, ...]:
    def swap(message: str) -> str:
        for before, after in zip(old, new):
            if before in message:
                message = message.replace(before, after)
        return message

    return tuple(replace(f, message=swap(f.message)) for f in findings)


def _option_shape(option) -> tuple:
    """What ``translate_option`` reads of an option for its v3 form, its id aside (the id
    names it only when it has no name)."""
    restrictions = tuple((enum_value(r.key_restriction_type), r.requirements) for r in option.restrictions or ())
    return (option.name or guid_of(option.id), enum_value(option.key_delivery_type), option.key_delivery_configuration, restrictions)


def _dedup_findings(use: _PolicyUse, kind: str) -> tuple[Finding, ...]:
    findings = list(use.findings.values())
    policies = [s for s in use.sources if s.startswith(("nb:adpid:", "nb:ckpid:"))]
    if len(policies) > 1:
        findings.append(finding("POLICY_DEDUPLICATED", f"{len(policies)} v2 policies share this {kind}"))
    return tuple(sorted(findings, key=lambda f: (f.code, f.message)))


# -- delivery policies -> streaming policy properties -----------------------------------------

_KEYED_SCHEMES = ("envelopeEncryption", "commonEncryptionCenc", "commonEncryptionCbcs")
_SCHEME_OF_TYPE = {2: "noEncryption", 3: "envelopeEncryption", 4: "commonEncryptionCenc", 5: "commonEncryptionCbcs"}
_LABEL_OF_SCHEME = {"envelopeEncryption": "envelopeKey", "commonEncryptionCenc": "cencKey", "commonEncryptionCbcs": "cbcsKey"}
_PROTOCOL_BITS = {"smoothStreaming": 1, "dash": 2, "hls": 4, "download": 16}
_HDS = 8
_ALL_PROTOCOLS = 65535


def delivery_configuration(adp) -> dict[int, str]:
    """``AssetDeliveryConfiguration`` (a JSON string of Key/Value pairs) as {key: value}."""
    raw = adp.asset_delivery_configuration
    if not raw:
        return {}
    try:
        pairs = json.loads(raw)
        return {int(p["Key"]): str(p["Value"]) for p in pairs}
    except (ValueError, TypeError, KeyError):
        return {}


def streaming_policy_properties(adps) -> tuple[dict[str, Any], list[Finding], bool]:
    """The v3 streaming policy properties an asset's delivery policies make together."""
    properties: dict[str, Any] = {}
    findings: list[Finding] = []
    blocked = False
    for adp in sorted(adps, key=lambda a: a.id):
        kind = enum_value(adp.asset_delivery_policy_type)
        if kind == 1:
            blocked = True
            findings.append(finding("DELIVERY_POLICY_BLOCKED", f"delivery policy {adp.id} blocks delivery"))
            continue
        scheme = _SCHEME_OF_TYPE.get(kind)
        if scheme is None:
            continue
        protocols = enum_value(adp.asset_delivery_protocol) or 0
        if protocols != _ALL_PROTOCOLS and protocols & _HDS:
            findings.append(finding("DELIVERY_PROTOCOL_DROPPED", f"delivery policy {adp.id} enables HDS"))
        block = properties.setdefault(scheme, {"enabledProtocols": {p: False for p in _PROTOCOL_BITS}})
        for name, bit in _PROTOCOL_BITS.items():
            if protocols == _ALL_PROTOCOLS or protocols & bit:
                block["enabledProtocols"][name] = True
        if scheme in _LABEL_OF_SCHEME:
            block["contentKeys"] = {"defaultKey": {"label": _LABEL_OF_SCHEME[scheme]}}
        findings.extend(_apply_urls(scheme, block, delivery_configuration(adp), adp.id))
    return properties, findings, blocked


def _custom(url: str | None) -> str | None:
    """A key/license URL that is not AMS key delivery (AMS's own needs no template in v3)."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return None if host.endswith(tables.AMS_KEY_DELIVERY_HOST_SUFFIX) else url


def _apply_urls(scheme: str, block: dict[str, Any], config: dict[int, str], adp_id: str) -> list[Finding]:
    findings: list[Finding] = []

    def note(what: str) -> None:
        findings.append(finding("DELIVERY_POLICY_CUSTOM_URL", f"delivery policy {adp_id}: {what}"))

    if scheme == "envelopeEncryption":
        url = _custom(config.get(1)) or _custom(config.get(2))
        if url:
            block["customKeyAcquisitionUrlTemplate"] = url
            note("envelope key URL")
    elif scheme == "commonEncryptionCenc":
        drm = block.setdefault("drm", {})
        playready = config.get(4)
        widevine = config.get(7) or config.get(8)
        if playready is not None or widevine is None:
            drm["playReady"] = {}
        if widevine is not None or playready is None:
            drm["widevine"] = {}
        if _custom(playready):
            drm["playReady"]["customLicenseAcquisitionUrlTemplate"] = playready
            note("PlayReady license URL")
        if config.get(5):
            drm["playReady"]["playReadyCustomAttributes"] = config[5]
        if _custom(widevine):
            drm["widevine"]["customLicenseAcquisitionUrlTemplate"] = widevine
            note("Widevine license URL")
    elif scheme == "commonEncryptionCbcs":
        fairplay = {"allowPersistentLicense": False}
        url = _custom(config.get(9)) or _custom(config.get(10))
        if url:
            fairplay["customLicenseAcquisitionUrlTemplate"] = url
            note("FairPlay license URL")
        block["drm"] = {"fairPlay": fairplay}
        if config.get(11):
            findings.append(finding("KEY_FAIRPLAY_IV", f"delivery policy {adp_id} sets a FairPlay IV"))
    return findings


# -- authorization policy options -> content key policy options ------------------------------


@dataclass(frozen=True)
class TranslatedOption:
    option: dict[str, Any] | None
    secret_refs: tuple[SecretRef, ...] = ()
    findings: tuple[Finding, ...] = ()
    fairplay_key_ids: tuple[str, ...] = ()
    secret_identity: str = ""  # digest of the v2 templates (secrets included); never written out


class _Unreadable(Exception):
    """A template that is malformed or unsafe; carries no template text."""


class _Inexpressible(Exception):
    """A template that reads fine but says something no v3 option can say."""


def translate_option(option, ckap_id: str, index: int) -> TranslatedOption:
    """One v2 option as a v3 ``ContentKeyPolicyOption`` (None when v3 cannot express it)."""
    name = option.name or guid_of(option.id)
    restrictions = option.restrictions or ()
    restriction_types = [enum_value(r.key_restriction_type) for r in restrictions]
    if 2 in restriction_types:
        return TranslatedOption(None, findings=(finding("KEY_IP_RESTRICTED", f"option {option.id} is IP-restricted"),))
    path = f"properties.options[{index}]"
    source_policy = guid_of(ckap_id)
    try:
        configuration, config_refs, config_findings, fairplay_ids = _configuration(option, path, source_policy, name)
        restriction, restriction_refs, untranslated = _restriction(restrictions, path, source_policy, name)
    except _Unreadable as problem:
        return TranslatedOption(None, findings=(finding("KEY_OPTION_UNREADABLE", f"option {option.id}: {problem}"),))
    except _Inexpressible as problem:
        return TranslatedOption(None, findings=(finding("KEY_OPTION_UNTRANSLATED", f"option {option.id}: {problem}"),))
    findings = list(config_findings)
    if untranslated:
        findings.append(finding("KEY_OPTION_UNTRANSLATED", f"option {option.id}: {', '.join(untranslated)}"))
    return TranslatedOption(
        {"name": name, "configuration": configuration, "restriction": restriction},
        secret_refs=tuple(config_refs + restriction_refs),
        findings=tuple(findings),
        fairplay_key_ids=fairplay_ids,
        secret_identity=_template_digest(option),
    )


def _template_digest(option) -> str:
    templates = [option.key_delivery_configuration or ""] + [r.requirements or "" for r in option.restrictions or ()]
    return hashlib.sha256("\0".join(templates).encode("utf-8")).hexdigest()


def _policy_secret(path: str, policy: str, option: str, field_name: str) -> SecretRef:
    return SecretRef(path, "source-policy-secret", (("field", field_name), ("option", option), ("policy", policy)))


def _configuration(option, path: str, policy: str, name: str):
    kind = enum_value(option.key_delivery_type)
    raw = option.key_delivery_configuration
    if kind == 2:
        return {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}, [], [], ()
    if kind == 3:
        template = _json_object(raw)
        return (
            {
                "@odata.type": "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration",
                "widevineTemplate": json.dumps(template, sort_keys=True, separators=(",", ":")),
            },
            [],
            [],
            (),
        )
    if kind == 4:
        return _fairplay(raw, path, policy, name)
    if kind == 1:
        configuration, untranslated = playready_configuration(raw)
        findings = [finding("KEY_OPTION_UNTRANSLATED", f"PlayReady {', '.join(untranslated)}")] if untranslated else []
        return configuration, [], findings, ()
    raise _Unreadable(f"key delivery type {option.key_delivery_type} has no v3 configuration")


def _fairplay(raw, path: str, policy: str, name: str):
    config = _json_object(raw)
    v2_lease = str(config.get("RentalAndLeaseKeyType", 0))
    lease = tables.FAIRPLAY_RENTAL_AND_LEASE.get(v2_lease)
    body = {
        "@odata.type": "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration",
        "ask": SECRET,
        "fairPlayPfxPassword": SECRET,
        "fairPlayPfx": SECRET,
        "rentalAndLeaseKeyType": lease or "Undefined",
        "rentalDuration": int(config.get("RentalDuration") or 0),
    }
    refs = [
        _policy_secret(f"{path}.configuration.{field_name}", policy, name, field_name)
        for field_name in ("ask", "fairPlayPfx", "fairPlayPfxPassword")
    ]
    findings = []
    if lease is None:
        findings.append(finding("KEY_OPTION_UNTRANSLATED", f"option {name}: RentalAndLeaseKeyType {v2_lease} is not a v2 value; planned as Undefined"))
    if config.get("ContentEncryptionIV"):
        findings.append(finding("KEY_FAIRPLAY_IV", f"option {name} sets ContentEncryptionIV"))
    key_ids = tuple(
        f"nb:kid:UUID:{guid_of(str(config[k]))}" for k in ("ASkId", "FairPlayPfxPasswordId") if config.get(k)
    )
    return body, refs, findings, key_ids


def _json_object(raw) -> dict[str, Any]:
    try:
        value = json.loads(raw or "")
    except ValueError:
        raise _Unreadable("the JSON template is malformed") from None
    if not isinstance(value, dict):
        raise _Unreadable("the JSON template is not an object")
    return value


def _restriction(restrictions, path: str, policy: str, name: str):
    token = next((r for r in restrictions if enum_value(r.key_restriction_type) == 1), None)
    if token is None:
        return {"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"}, [], []
    root = _parse_xml(token.requirements)
    fields = {_local(child.tag): child for child in root}
    untranslated: list[str] = []
    refs: list[SecretRef] = []
    restriction: dict[str, Any] = {
        "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
        "issuer": _text(fields.get("Issuer")) or "",
        "audience": _text(fields.get("Audience")) or "",
        "restrictionTokenType": tables.TOKEN_TYPES.get((_text(fields.get("TokenType")) or "").upper(), "Unknown"),
    }
    primary = fields.get("PrimaryVerificationKey")
    key_path = f"{path}.restriction.primaryVerificationKey"
    restriction["primaryVerificationKey"], secret = _verification_key(primary, untranslated, "PrimaryVerificationKey")
    if secret:
        refs.append(_policy_secret(key_path + ".keyValue", policy, name, "primaryVerificationKey.keyValue"))
    alternates = []
    for i, key in enumerate(list(fields.get("AlternateVerificationKeys", ()))):
        converted, secret = _verification_key(key, untranslated, "AlternateVerificationKeys")
        if converted is not None:
            if secret:
                field_name = f"alternateVerificationKeys[{len(alternates)}].keyValue"
                refs.append(_policy_secret(f"{path}.restriction.{field_name}", policy, name, field_name))
            alternates.append(converted)
    if alternates:
        restriction["alternateVerificationKeys"] = alternates
    claims = []
    for claim in list(fields.get("RequiredClaims", ())):
        parts = {_local(c.tag): _text(c) for c in claim}
        item = {"claimType": parts.get("ClaimType")}
        if parts.get("ClaimValue") is not None:
            item["claimValue"] = parts["ClaimValue"]
        claims.append(item)
    if claims:
        restriction["requiredClaims"] = claims
    discovery = fields.get("OpenIdConnectDiscoveryDocument")
    if discovery is not None:
        uri = next((_text(c) for c in discovery if _local(c.tag) == "OpenIdDiscoveryUri"), None)
        if uri:
            restriction["openIdConnectDiscoveryDocument"] = uri
    if restriction["primaryVerificationKey"] is None:
        # v3 requires one even beside an OpenID Connect discovery document.
        raise _Inexpressible("the token restriction has no primary verification key v3 can take")
    return restriction, refs, untranslated


def _verification_key(element, untranslated: list[str], where: str) -> tuple[dict[str, Any] | None, bool]:
    """(v3 token key, whether it is secret). Symmetric keys are secrets; certificates are not."""
    if element is None:
        return None, False
    kind = next((v for k, v in element.attrib.items() if _local(k) == "type"), "")
    kind = kind.split(":")[-1]
    if kind == "SymmetricVerificationKey":
        return {"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": SECRET}, True
    if kind == "X509CertTokenVerificationKey":
        raw = next((_text(c) for c in element if _local(c.tag) == "RawBody"), None)
        if raw:
            return {"@odata.type": "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey", "rawBody": raw}, False
    untranslated.append(f"{where} of type {kind or 'unknown'}")
    return None, False


def _parse_xml(text: str | None):
    """The template's root through the codebase's one safe parser; failures carry no template text."""
    try:
        return parse_xml(text, what="the XML template")
    except UnsafeXmlError:
        raise _Unreadable("the XML template uses DTDs, entities or external references") from None
    except InputError:
        raise _Unreadable("the XML template is empty or malformed") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip()


def playready_configuration(raw: str | None) -> tuple[dict[str, Any], list[str]]:
    """``PlayReadyLicenseResponseTemplate`` XML as a v3 PlayReady configuration, plus the
    element names that have no v3 field."""
    root = _parse_xml(raw)
    untranslated: list[str] = []
    licenses = []
    custom_data = None
    for child in root:
        tag = _local(child.tag)
        if tag == "LicenseTemplates":
            licenses.extend(_playready_license(t, untranslated) for t in child)
        elif tag == "ResponseCustomData":
            custom_data = _text(child)
        else:
            untranslated.append(tag)
    configuration: dict[str, Any] = {
        "@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration",
        "licenses": licenses,
    }
    if custom_data:
        configuration["responseCustomData"] = custom_data
    return configuration, untranslated


def _playready_license(element, untranslated: list[str]) -> dict[str, Any]:
    fields = {_local(c.tag): c for c in element}
    license_: dict[str, Any] = {
        "allowTestDevices": (_text(fields.get("AllowTestDevices")) or "false").lower() == "true",
        "licenseType": tables.PLAYREADY_LICENSE_TYPES.get(_text(fields.get("LicenseType")) or "", "NonPersistent"),
        "contentType": "Unspecified",
        "contentKeyLocation": _playready_key_location(fields.get("ContentKey")),
    }
    for v2_name, v3_name in tables.PLAYREADY_LICENSE_FIELDS.items():
        value = _text(fields.get(v2_name))
        if value:
            license_[v3_name] = value
    if "PlayRight" in fields:
        license_["playRight"] = _playready_play_right(fields["PlayRight"], untranslated)
    known = {"AllowTestDevices", "LicenseType", "ContentKey", "PlayRight", *tables.PLAYREADY_LICENSE_FIELDS}
    untranslated.extend(sorted(set(fields) - known))
    return license_


def _playready_key_location(element) -> dict[str, Any]:
    kind = ""
    if element is not None:
        kind = next((v for k, v in element.attrib.items() if _local(k) == "type"), "").split(":")[-1]
    if kind == "ContentEncryptionKeyFromKeyIdentifier":
        key_id = next((_text(c) for c in element if _local(c.tag) == "KeyIdentifier"), None)
        if key_id:
            return {
                "@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier",
                "keyId": key_id,
            }
    return {"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"}


def _playready_play_right(element, untranslated: list[str]) -> dict[str, Any]:
    children = {_local(c.tag): c for c in element}
    fields = {name: _text(child) for name, child in children.items()}
    right: dict[str, Any] = {
        "digitalVideoOnlyContentRestriction": (fields.get("DigitalVideoOnlyContentRestriction") or "false").lower() == "true",
        "imageConstraintForAnalogComponentVideoRestriction": (
            fields.get("ImageConstraintForAnalogComponentVideoRestriction") or "false"
        ).lower() == "true",
        "imageConstraintForAnalogComputerMonitorRestriction": (
            fields.get("ImageConstraintForAnalogComputerMonitorRestriction") or "false"
        ).lower() == "true",
        "allowPassingVideoContentToUnknownOutput": tables.UNKNOWN_OUTPUT_PASSING.get(
            fields.get("AllowPassingVideoContentToUnknownOutput") or "NotAllowed", "NotAllowed"
        ),
    }
    for v2_name, v3_name in tables.PLAYREADY_PLAY_RIGHT_INTS.items():
        value = fields.get(v2_name)
        if value not in (None, ""):
            try:
                right[v3_name] = int(value)
            except ValueError:
                untranslated.append(v2_name)
    for v2_name, v3_name in tables.PLAYREADY_PLAY_RIGHT_CONTROL_BITS.items():
        bits = _control_bits(children[v2_name], v2_name, untranslated) if v2_name in children else None
        if bits is not None:
            right[v3_name] = bits
    analog_v2, analog_v3 = tables.PLAYREADY_EXPLICIT_ANALOG_TV
    if analog_v2 in children:
        analog = _explicit_analog_tv(children[analog_v2], analog_v2, untranslated)
        if analog is not None:
            right[analog_v3] = analog
    if fields.get("FirstPlayExpiration"):
        right["firstPlayExpiration"] = fields["FirstPlayExpiration"]
    known = {
        "DigitalVideoOnlyContentRestriction",
        "ImageConstraintForAnalogComponentVideoRestriction",
        "ImageConstraintForAnalogComputerMonitorRestriction",
        "AllowPassingVideoContentToUnknownOutput",
        "FirstPlayExpiration",
        analog_v2,
        *tables.PLAYREADY_PLAY_RIGHT_INTS,
        *tables.PLAYREADY_PLAY_RIGHT_CONTROL_BITS,
    }
    untranslated.extend(f"PlayRight.{name}" for name in sorted(set(fields) - known))
    return right


def _control_bits(element, where: str, untranslated: list[str]) -> int | None:
    """The two control bits (0-3) the v2 SDK writes as ``<ConfigurationData>`` inside a
    restriction element; None for an element left empty (a nil restriction)."""
    inner = next((c for c in element if _local(c.tag) == "ConfigurationData"), None)
    text = _text(inner) if inner is not None else _text(element)
    if not text:
        return None
    try:
        bits = int(text)
    except ValueError:
        bits = -1
    if not 0 <= bits <= 3:
        untranslated.append(f"PlayRight.{where}")
        return None
    return bits


def _explicit_analog_tv(element, where: str, untranslated: list[str]) -> dict[str, Any] | None:
    bits = _control_bits(element, where, untranslated)
    if bits is None:
        return None
    best_effort = next((_text(c) for c in element if _local(c.tag) == "BestEffort"), None)
    return {"bestEffort": (best_effort or "false").lower() == "true", "configurationData": bits}


# -- the v2 entities themselves ------------------------------------------------------------
#
# These run after assets and locators, with ``accounted``: the v2 ids earlier actions already
# list in their sources (a locator lists the keys it carries and the delivery policies its
# streaming policy came from). Whatever is left gets its own disposition and reason here.


def map_content_key(key, ctx: MappingContext, accounted: set[str]) -> list[Proposal]:
    if key.id in accounted:
        return []
    kind = enum_value(key.content_key_type)
    assets = ctx.graph.needed_by_keys("ContentKeys", key.id, "Assets")
    if kind == STORAGE_KEY_TYPE:
        return [ignore("ContentKeys", key.id, "KEY_STORAGE_ENCRYPTION", "the storage key is on no asset")]
    if kind in FAIRPLAY_SECRET_KEY_TYPES:
        return [ignore("ContentKeys", key.id, "KEY_FAIRPLAY_SECRET", "no planned content key policy uses it")]
    if kind not in STREAMING_KEY_LABELS:
        return [ignore("ContentKeys", key.id, "KEY_NOT_FOR_STREAMING", f"content key type {enum_name(key.content_key_type)}")]
    if not assets:
        if key.authorization_policy_id:
            return [unsupported("ContentKeys", key.id, finding("KEY_SERVER_ONLY", f"content key {key.id} is on no asset"))]
        return [ignore("ContentKeys", key.id, "KEY_NOT_FOR_STREAMING", "the content key is on no asset and has no policy")]
    published = any(
        _is_streaming_locator(ctx.entity("Locators", locator))
        for asset in assets
        for locator in ctx.graph.needed_by_keys("Assets", asset, "Locators")
    )
    if not published:
        return [manual("ContentKeys", key.id, finding("KEY_UNPUBLISHED"), phase=Phase.PUBLISH)]
    return [ignore("ContentKeys", key.id, "KEY_NOT_FOR_STREAMING", "no delivery policy of its asset uses its scheme")]


def _is_streaming_locator(locator) -> bool:
    return locator is not None and enum_value(locator.type) == 2


# The policy mappings below read only the graph and the ledger, so they take keys: no record
# of a policy or option is read for them.


def map_authorization_policy(policy_id: str, ctx: MappingContext, accounted: set[str]) -> list[Proposal]:
    options = tuple(ctx.graph.need_keys("ContentKeyAuthorizationPolicies", policy_id, "ContentKeyAuthorizationPolicyOptions"))
    used = bool(ctx.graph.needed_by_keys("ContentKeyAuthorizationPolicies", policy_id, "ContentKeys"))
    if not ctx.new_account and used:
        return [_visible_policy(ResourceType.CONTENT_KEY_POLICY, policy_id, (policy_id, *options))]
    if policy_id in accounted:
        return []
    reason = "its keys are carried by no v3 streaming locator" if used else None
    return [ignore("ContentKeyAuthorizationPolicies", policy_id, "KEY_POLICY_UNUSED", reason, sources=(policy_id, *options))]


def map_authorization_option(option_id: str, ctx: MappingContext, accounted: set[str]) -> list[Proposal]:
    if option_id in accounted:
        return []
    return [ignore("ContentKeyAuthorizationPolicyOptions", option_id, "KEY_POLICY_UNUSED", "no planned policy uses the option")]


def map_delivery_policy(policy_id: str, ctx: MappingContext, accounted: set[str]) -> list[Proposal]:
    used = bool(ctx.graph.needed_by_keys("AssetDeliveryPolicies", policy_id, "Assets"))
    if not ctx.new_account and used:
        return [_visible_policy(ResourceType.STREAMING_POLICY, policy_id, (policy_id,))]
    if policy_id in accounted:
        return []
    reason = "its assets have no v3 streaming locator" if used else None
    return [ignore("AssetDeliveryPolicies", policy_id, "DELIVERY_POLICY_UNUSED", reason)]


def _visible_policy(resource_type: ResourceType, v2_id: str, sources: tuple[str, ...]) -> Proposal:
    """Same account: v3 shows the v2 policy as a v3 one named by its GUID (assumption A2)."""
    return resource_action(
        resource_type, guid_of(v2_id), None, sources=sources, phase=Phase.PUBLISH,
        findings=(finding("ASSET_VISIBLE"),), refresh=Refresh.VISIBLE,
    )
