"""The findings catalog as data: stable code -> severity, what it means, what to do.

Codes never change meaning once released; docs/findings.md lists the same entries (a test
keeps the two in step). Messages on actions are specific; ``remediation`` comes from here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from migrator.plan import Finding, Severity

INFO, WARNING, BLOCKER = Severity.INFO, Severity.WARNING, Severity.BLOCKER


class CatalogEntry(NamedTuple):
    severity: Severity
    title: str
    remediation: str


FINDINGS: dict[str, CatalogEntry] = {
    # -- inventory structure
    "GRAPH_DANGLING_REFERENCE": CatalogEntry(WARNING, "An entity refers to an id the inventory does not hold.", "Re-read the inventory; if the id is really gone, the relation is dropped from the plan."),
    "GRAPH_CYCLE": CatalogEntry(WARNING, "Entities refer to each other in a ring.", "The ring was broken at the edges listed; check the parent-asset links in v2."),
    "NAME_RENAMED": CatalogEntry(INFO, "A v2 name breaks the v3 naming rules and was renamed deterministically.", "Nothing to do; the original name is kept in the description. Update clients that look the resource up by name."),
    "NOT_REFRESHED": CatalogEntry(INFO, "The target was not read (--no-refresh); every resource is assumed absent.", "Plan again without --no-refresh before applying."),
    "QUOTA_EXCEEDED": CatalogEntry(BLOCKER, "A 1:1 copy would exceed a v3 account quota.", "Only what fits is created; consolidate (fewer endpoints, policies, transforms, live events; custom host names onto a created endpoint) or ask for a quota increase, then create the rest by hand."),
    # -- assets and content
    "ASSET_VISIBLE": CatalogEntry(INFO, "v3 already sees this v2 entity in the same account.", "Nothing to do; streaming URLs stay as they are."),
    "ASSET_NOT_VISIBLE": CatalogEntry(BLOCKER, "The target read did not find an entity v3 should see in the same account.", "Check the account and the v2 id; re-read the inventory and plan again."),
    "ASSET_CONTENT_COPY": CatalogEntry(INFO, "The asset's blobs are copied outside ARM.", "Apply writes azcopy commands from listContainerSas on both accounts; run them and confirm."),
    "ASSET_STORAGE_ENCRYPTED": CatalogEntry(WARNING, "The asset is storage-encrypted (AES-256, v2 client-side).", "v3 can stream it in place; to move it, decrypt with getEncryptionKey (per-file key and IV) before copying."),
    "ASSET_STATICALLY_PROTECTED": CatalogEntry(WARNING, "The asset was uploaded already encrypted (common or envelope encryption).", "Copy the blobs as they are; players need the original key server."),
    "ASSET_PARENT_DROPPED": CatalogEntry(INFO, "v3 assets have no ParentAssets relation.", "Nothing to do; the lineage is kept in this plan only."),
    "ASSET_CONTAINER_UNKNOWN": CatalogEntry(WARNING, "The v2 asset has no storage container name (Uri empty or not a container URL), so the target picks one.", "Nothing to do for job placeholder assets; otherwise copy the blobs into the container the target reports (properties.container)."),
    "ASSET_FILES_LISTED": CatalogEntry(INFO, "v3 has no file entity; files travel with the asset's container.", "Nothing to do."),
    "STORAGE_ACCOUNT_ATTACH": CatalogEntry(WARNING, "A storage account of the source account must be attached to the target account.", "Attach it (or a new one) to the target account before content copy."),
    "STORAGE_ACCOUNT_KEPT": CatalogEntry(INFO, "The storage account stays attached to the account.", "Nothing to do."),
    # -- publishing
    "LOCATOR_SAS": CatalogEntry(WARNING, "SAS locators have no v3 entity.", "Use listContainerSas on the asset (at most 24 hours) or storage SAS directly."),
    "LOCATOR_EXPIRED": CatalogEntry(INFO, "The locator has expired.", "Nothing to do; it is not recreated."),
    "LOCATOR_FUTURE_START": CatalogEntry(INFO, "The locator starts in the future.", "Nothing to do; the v3 locator keeps the start time."),
    "LOCATOR_ACCESS_POLICY_FOLDED": CatalogEntry(INFO, "v3 has no access policies: the policy's window becomes the locator's start/end time.", "Nothing to do."),
    "LOCATOR_HOST_CHANGES": CatalogEntry(WARNING, "The locator keeps its GUID (same path) but the streaming host changes.", "Point clients or the CDN origin at the new streaming endpoint host."),
    "LOCATOR_KEYS_REGENERATED": CatalogEntry(WARNING, "Another locator of the asset keeps its v2 content keys (a key id exists once per v3 account); this locator is created without keys and v3 generates new ones under the same streaming policy.", "Same streaming URL, new keys: players and license servers that cached the old key for this URL get a new one. Keep one locator per asset, or accept the new keys."),
    "LOCATOR_WITHOUT_ASSET": CatalogEntry(BLOCKER, "The locator's asset is not in the inventory.", "Re-read the inventory; a locator cannot be created without its asset."),
    "LOCATOR_TYPE_UNKNOWN": CatalogEntry(WARNING, "The locator type is neither SAS nor OnDemandOrigin.", "Check the locator in v2; it is not migrated."),
    "ACCESS_POLICY_UNUSED": CatalogEntry(INFO, "No locator uses the access policy.", "Nothing to do; v3 has no access policies."),
    "POLICY_DEDUPLICATED": CatalogEntry(INFO, "v2 policies with the same canonical form share one v3 policy.", "Nothing to do."),
    "DELIVERY_POLICY_UNUSED": CatalogEntry(INFO, "No asset uses the delivery policy.", "Nothing to do; it is not recreated."),
    "DELIVERY_POLICY_BLOCKED": CatalogEntry(WARNING, "A Blocked delivery policy has no v3 streaming policy.", "Do not publish the asset in v3 (no locator is planned for it)."),
    "DELIVERY_PROTOCOL_DROPPED": CatalogEntry(WARNING, "A delivery protocol (HDS) has no v3 equivalent.", "Clients that used it must switch to HLS or DASH."),
    "DELIVERY_POLICY_CUSTOM_URL": CatalogEntry(INFO, "The delivery policy points at a key or license server URL.", "The URL becomes the custom acquisition URL template of the streaming policy; check it still serves."),
    "KEY_POLICY_UNUSED": CatalogEntry(INFO, "No content key uses the authorization policy.", "Nothing to do; it is not recreated."),
    "KEY_IP_RESTRICTED": CatalogEntry(WARNING, "An IP-restricted key option has no per-policy v3 form.", "Set the account's key-delivery IP allow list (keyDelivery.accessControl) by hand."),
    "KEY_FAIRPLAY_IV": CatalogEntry(WARNING, "v3 cannot set the FairPlay IV; it derives it from the key id.", "Players or third-party license servers that rely on the v2 IV must be updated."),
    "KEY_SERVER_ONLY": CatalogEntry(BLOCKER, "The content key is delivered by AMS but not published from this account (AMS as key server only).", "Unsupported in v3: move key delivery to another license service."),
    "KEY_UNPUBLISHED": CatalogEntry(WARNING, "The content key belongs to an asset without a streaming locator, so no v3 locator can carry it.", "Publish the asset in v3 with a new key, or keep the key value elsewhere."),
    "KEY_STORAGE_ENCRYPTION": CatalogEntry(INFO, "A storage-encryption key stays with its asset (getEncryptionKey).", "Nothing to do."),
    "KEY_NOT_FOR_STREAMING": CatalogEntry(INFO, "The content key type is not used for streaming in v3.", "Nothing to do."),
    "KEY_FAIRPLAY_SECRET": CatalogEntry(INFO, "A FairPlay ASK or PFX password key feeds a content key policy option.", "Nothing to do; apply reads it from the source policy."),
    "KEY_OPTION_UNREADABLE": CatalogEntry(BLOCKER, "A key delivery template could not be read safely.", "Recreate the option by hand in v3; the template is not copied."),
    "KEY_OPTION_UNTRANSLATED": CatalogEntry(WARNING, "Parts of a PlayReady/Widevine template have no v3 field.", "Review the listed fields and set them by hand."),
    # -- encoding
    "PROCESSOR_RETIRED": CatalogEntry(BLOCKER, "The media processor is retired and unreachable from v3.", "Use the named replacement (v3 preset or Video Indexer)."),
    "PROCESSOR_LISTED": CatalogEntry(INFO, "Media processors are a catalog, not account data.", "Nothing to do."),
    "PRESET_BUILT_IN": CatalogEntry(INFO, "The v2 system preset maps to a v3 built-in preset.", "Nothing to do."),
    "PRESET_TRANSLATED": CatalogEntry(INFO, "The custom preset was translated to a v3 StandardEncoderPreset (bitrates kbps -> bps).", "Encode a sample and compare outputs."),
    "PRESET_CUSTOM": CatalogEntry(WARNING, "The custom preset could not be fully translated.", "Rewrite the listed parts as v3 JSON by hand."),
    "JOB_IN_FLIGHT": CatalogEntry(BLOCKER, "The job is still running in v2.", "Let it finish (or cancel it) in v2 before the cutover; v3 cannot see it."),
    "JOB_HISTORY": CatalogEntry(INFO, "A finished job is history; v3 cannot import it.", "Nothing to do; its transform is planned from its tasks' presets."),
    "RESERVED_UNITS_DROPPED": CatalogEntry(INFO, "Media reserved units are no longer needed (v3 scales automatically).", "Nothing to do."),
    # -- live
    "CHANNEL_PROTOCOL_UNSUPPORTED": CatalogEntry(BLOCKER, "RTP/MPEG-TS ingest has no v3 live event protocol.", "Switch the encoder to RTMP or Smooth (fragmented MP4) ingest, then create the live event by hand."),
    "CHANNEL_RUNNING": CatalogEntry(WARNING, "The channel is running: the cutover needs a downtime window and stopping it cannot be undone.", "Schedule the window; stop the channel, then start the live event and outputs."),
    "CHANNEL_DOWNTIME": CatalogEntry(INFO, "Live moves cannot be seamless: encoders must switch to the new ingest URL.", "Update encoder ingest URLs during the window."),
    "PROGRAM_RUNNING": CatalogEntry(WARNING, "The program is running; its archive continues in the new live output only after the cutover.", "Stop it in the window; the live output starts on creation."),
    "PROGRAM_WITHOUT_CHANNEL": CatalogEntry(BLOCKER, "The program's channel is not migrated.", "Create the live event by hand, then the live output."),
    "LIVE_OPERATION_HISTORY": CatalogEntry(INFO, "A v2 live operation record is history.", "Nothing to do."),
    # -- streaming endpoints
    "ENDPOINT_CUSTOM_HOSTS": CatalogEntry(WARNING, "Custom host names need DNS (CNAME) changes to the new endpoint.", "Change the CNAME records after the endpoint is running."),
    "ENDPOINT_CDN": CatalogEntry(WARNING, "CDN profiles are not moved by ARM here.", "Re-point the CDN origin at the new endpoint host."),
    "ENDPOINT_AKAMAI": CatalogEntry(WARNING, "Akamai signature keys are not copied into the plan.", "Set the Akamai access control keys on the new endpoint by hand."),
    # -- filters
    "FILTER_TRACK_UNMAPPED": CatalogEntry(WARNING, "A filter track condition has no v3 property.", "Review the filter by hand."),
    # -- notifications
    "NOTIFICATION_EVENT_GRID": CatalogEntry(INFO, "The notification endpoint becomes an Event Grid subscription on the account.", "Make the webhook answer Event Grid's validation handshake; v3 events have a different schema."),
    "NOTIFICATION_QUEUE": CatalogEntry(WARNING, "An Azure Queue endpoint needs the storage account's ARM id for an Event Grid storage-queue destination.", "Create the subscription by hand with the queue's resource id."),
    "NOTIFICATION_TABLE": CatalogEntry(BLOCKER, "Azure Table endpoints have no Event Grid destination.", "Use a queue, webhook or Event Hubs destination instead."),
    "NOTIFICATION_SIGNING_KEY": CatalogEntry(WARNING, "The v2 signing key of the webhook is not carried over.", "Event Grid webhooks authenticate differently (validation handshake, Azure AD); update the receiver."),
    "NOTIFICATION_UNUSED": CatalogEntry(INFO, "No job or task subscribes to the endpoint.", "It is still recreated so that new jobs can notify it."),
    # -- ingest
    "INGEST_MANIFEST": CatalogEntry(INFO, "Bulk ingest manifests have no v3 entity.", "Upload with the Storage APIs or use JobInputHttp."),
    "INGEST_MANIFEST_PENDING": CatalogEntry(WARNING, "The ingest manifest still has pending files.", "Finish or abandon the upload in v2; then upload with the Storage APIs."),
    # -- refresh
    "TARGET_DIFFERS_IMMUTABLE": CatalogEntry(BLOCKER, "The target holds this resource with a different body, and v3 cannot update it.", "Delete it in the target (irreversible) or rename, then plan again."),
    "TARGET_DIFFERS": CatalogEntry(INFO, "The target holds this resource with a different body; apply updates it.", "Review the difference."),
}


# Most findings repeat verbatim across a million entities: share one instance of each.
@lru_cache(maxsize=4096)
def finding(code: str, message: str | None = None) -> Finding:
    """A finding of the catalog; ``message`` makes it specific (default: the catalog title)."""
    entry = FINDINGS[code]
    return Finding(code, entry.severity, message or entry.title, entry.remediation)
