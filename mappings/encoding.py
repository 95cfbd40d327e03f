"""Encoding: job templates and the presets jobs used -> transforms; jobs, tasks, processors.

v3 has no jobs to import: a finished v2 job is history, a running one must drain in v2. What
carries over is *how* content was encoded: each account-level job template becomes a
transform (its task templates the outputs), and each distinct preset the jobs' tasks used
becomes one shared transform. Media Encoder Standard system presets map to v3 built-in
presets; custom JSON presets are translated where a v3 field exists (bitrates kbps -> bps);
XML presets and retired processors become manual steps naming the replacement.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Iterator

from migrator.plan import Finding, Phase
from migrator.v3.ids import ResourceType

from migrator.mappings import tables
from migrator.mappings.base import (
    MappingContext,
    Proposal,
    canonical_hash,
    enum_name,
    enum_value,
    guid_of,
    ignore,
    manual,
    resource_action,
)
from migrator.mappings.catalog import finding
from migrator.mappings.naming import v3_name
from migrator.mappings.quotas import Ranking, ranking

IN_FLIGHT_JOB_STATES = frozenset({0, 1, 2, 6})  # Queued, Scheduled, Processing, Canceling
ACCOUNT_LEVEL_TEMPLATE = 1


@dataclass(frozen=True)
class TranslatedPreset:
    preset: dict[str, Any] | None
    findings: tuple[Finding, ...] = ()


# Jobs reuse a handful of presets thousands of times; translate each once. The result is shared,
# so callers treat it as read-only.
@lru_cache(maxsize=1024)
def translate_preset(processor_name: str | None, configuration: str | None) -> TranslatedPreset:
    """A v2 task's processor + configuration as a v3 preset (None when v3 has no form for it)."""
    if processor_name in tables.RETIRED_PROCESSORS:
        replacement = tables.RETIRED_PROCESSORS[processor_name]
        return TranslatedPreset(None, (finding("PROCESSOR_RETIRED", f"{processor_name} is retired; use {replacement}"),))
    if processor_name in tables.PROCESSOR_PRESETS:
        return TranslatedPreset(dict(tables.PROCESSOR_PRESETS[processor_name]))
    if processor_name != tables.MEDIA_ENCODER_STANDARD:
        return TranslatedPreset(None, (finding("PRESET_CUSTOM", f"media processor {processor_name or 'unknown'} has no v3 preset"),))
    text = (configuration or "").strip()
    if text in tables.SYSTEM_PRESETS:
        preset = {"@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset", "presetName": tables.SYSTEM_PRESETS[text]}
        return TranslatedPreset(preset, (finding("PRESET_BUILT_IN", f"{text} -> {tables.SYSTEM_PRESETS[text]}"),))
    if text.startswith("{"):
        return _translate_json_preset(text)
    if text.startswith("<"):
        return TranslatedPreset(None, (finding("PRESET_CUSTOM", "XML presets are not translated"),))
    return TranslatedPreset(None, (finding("PRESET_CUSTOM", "the preset is neither a known system preset nor JSON"),))


def _translate_json_preset(text: str) -> TranslatedPreset:
    try:
        document = json.loads(text)
    except ValueError:
        return TranslatedPreset(None, (finding("PRESET_CUSTOM", "the JSON preset is malformed"),))
    if not isinstance(document, dict):
        return TranslatedPreset(None, (finding("PRESET_CUSTOM", "the JSON preset is not an object"),))
    untranslated: list[str] = sorted(set(document) - {"Version", "Codecs", "Outputs"})
    codecs = [c for c in (_codec(c, untranslated) for c in document.get("Codecs") or ()) if c]
    formats = [f for f in (_format(o, untranslated) for o in document.get("Outputs") or ()) if f]
    if not codecs or not formats:
        return TranslatedPreset(None, (finding("PRESET_CUSTOM", "no codec or output of the preset has a v3 form"),))
    preset = {"@odata.type": "#Microsoft.Media.StandardEncoderPreset", "codecs": codecs, "formats": formats}
    findings = [finding("PRESET_TRANSLATED")]
    if untranslated:
        findings.append(finding("PRESET_CUSTOM", "not translated: " + ", ".join(untranslated)))
    return TranslatedPreset(preset, tuple(findings))


_H264_LAYER_FIELDS = {
    "Profile": ("profile", str),
    "Level": ("level", str),
    "Width": ("width", str),
    "Height": ("height", str),
    "BFrames": ("bFrames", int),
    "ReferenceFrames": ("referenceFrames", int),
    "AdaptiveBFrame": ("adaptiveBFrame", bool),
    "Slices": ("slices", int),
    "FrameRate": ("frameRate", str),
    "Label": ("label", str),
}
_KBPS_FIELDS = {"Bitrate": "bitrate", "MaxBitrate": "maxBitrate"}
_AAC_PROFILES = {"AACLC": "AacLc", "HEAACV1": "HeAacV1", "HEAACV2": "HeAacV2"}
_H264_PROFILES = {"AUTO": "Auto", "BASELINE": "Baseline", "MAIN": "Main", "HIGH": "High"}


def _codec(codec: Any, untranslated: list[str]) -> dict[str, Any] | None:
    if not isinstance(codec, dict):
        return None
    kind = codec.get("Type")
    if kind == "H264Video":
        video: dict[str, Any] = {"@odata.type": "#Microsoft.Media.H264Video"}
        if codec.get("KeyFrameInterval"):
            video["keyFrameInterval"] = _duration(codec["KeyFrameInterval"])
        video["layers"] = [_h264_layer(layer, untranslated) for layer in codec.get("H264Layers") or ()]
        untranslated.extend(f"H264Video.{k}" for k in sorted(set(codec) - {"Type", "KeyFrameInterval", "H264Layers"}))
        return video if video["layers"] else None
    if kind == "AACAudio":
        audio: dict[str, Any] = {"@odata.type": "#Microsoft.Media.AacAudio"}
        if codec.get("Profile"):
            audio["profile"] = _AAC_PROFILES.get(str(codec["Profile"]).upper(), "AacLc")
        for v2, v3 in (("Channels", "channels"), ("SamplingRate", "samplingRate")):
            if codec.get(v2) is not None:
                audio[v3] = int(codec[v2])
        if codec.get("Bitrate") is not None:
            audio["bitrate"] = int(codec["Bitrate"]) * 1000  # v2 kbps -> v3 bps
        untranslated.extend(f"AACAudio.{k}" for k in sorted(set(codec) - {"Type", "Profile", "Channels", "SamplingRate", "Bitrate"}))
        return audio
    untranslated.append(f"codec {kind}")
    return None


def _h264_layer(layer: dict[str, Any], untranslated: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for v2, v3 in _KBPS_FIELDS.items():
        if layer.get(v2) is not None:
            out[v3] = int(layer[v2]) * 1000  # v2 kbps -> v3 bps
    for v2, (v3, cast) in _H264_LAYER_FIELDS.items():
        if layer.get(v2) is not None:
            out[v3] = cast(layer[v2])
    if "profile" in out:
        out["profile"] = _H264_PROFILES.get(out["profile"].upper(), "Auto")
    if layer.get("BufferWindow"):
        out["bufferWindow"] = _duration(layer["BufferWindow"])
    out.setdefault("bitrate", 0)
    known = {"Type", "BufferWindow", *_KBPS_FIELDS, *_H264_LAYER_FIELDS}
    untranslated.extend(f"H264Layer.{k}" for k in sorted(set(layer) - known))
    return out


_FILENAME_MACROS = {
    "{Basename}": "{Basename}",
    "{Width}x{Height}": "{Resolution}",
    "{VideoBitrate}": "{Bitrate}",
    "{AudioBitrate}": "{Bitrate}",
    "{Bitrate}": "{Bitrate}",
    "{Codec}": "{Codec}",
    "{Extension}": "{Extension}",
}


def _format(output: Any, untranslated: list[str]) -> dict[str, Any] | None:
    if not isinstance(output, dict):
        return None
    kind = (output.get("Format") or {}).get("Type")
    odata = tables.OUTPUT_FORMATS.get(kind)
    if odata is None:
        untranslated.append(f"output format {kind}")
        return None
    pattern = str(output.get("FileName") or "{Basename}_{Bitrate}{Extension}")
    for v2, v3 in _FILENAME_MACROS.items():
        pattern = pattern.replace(v2, v3)
    left = sorted(set(re.findall(r"\{[A-Za-z]+\}", pattern)) - set(_FILENAME_MACROS.values()) - {"{Resolution}", "{Label}"})
    untranslated.extend(f"file name macro {m}" for m in left)
    return {"@odata.type": odata, "filenamePattern": pattern}


def _duration(value: Any) -> str:
    """v2 ``HH:MM:SS`` -> ISO 8601 (``PT2S``); ISO values pass through."""
    text = str(value)
    match = re.fullmatch(r"(\d+):(\d{2}):(\d{2})(?:\.(\d+))?", text)
    if not match:
        return text
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3])
    fraction = f".{match[4]}" if match[4] else ""
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    parts += f"{seconds}{fraction}S" if (seconds or fraction or not parts) else ""
    return "PT" + parts


# -- the planner of shared transforms ---------------------------------------------------------


@dataclass
class _SharedPreset:
    name: str
    translated: TranslatedPreset
    label: str
    sources: set[str] = field(default_factory=set)


class EncodingPlanner:
    """Collects the presets tasks used into one transform per distinct preset."""

    def __init__(self, ctx: MappingContext) -> None:
        self.ctx = ctx
        self._shared: dict[str, _SharedPreset] = {}

    def add_task(self, task) -> None:
        processor = self.ctx.entity("MediaProcessors", task.media_processor_id) if task.media_processor_id else None
        processor_name = getattr(processor, "name", None)
        translated = translate_preset(processor_name, task.configuration)
        identity = canonical_hash([processor_name, translated.preset if translated.preset else task.configuration or ""])
        shared = self._shared.get(identity)
        if shared is None:
            label = (task.configuration or "").strip() if (task.configuration or "").strip() in tables.SYSTEM_PRESETS else ""
            shared = self._shared[identity] = _SharedPreset("v2-preset-" + identity, translated, label or processor_name or "")
        shared.sources.add(task.id)
        if task.media_processor_id and processor is not None:
            shared.sources.add(task.media_processor_id)

    def proposals(self) -> Iterator[Proposal]:
        places = tables.QUOTAS["transforms"] - len(template_transform_ranking(self.ctx).order)
        translated = [s for s in sorted(self._shared.values(), key=lambda s: s.name) if s.translated.preset is not None]
        over = {s.name for s in translated[max(places, 0):]}
        for shared in sorted(self._shared.values(), key=lambda s: s.name):
            sources = tuple(s for s in shared.sources if not s.startswith("nb:mpid:"))
            if shared.translated.preset is None:
                yield manual("Tasks", shared.name, *shared.translated.findings, sources=sources)
                continue
            if shared.name in over:
                message = f"preset {shared.label or shared.name}: the account's {tables.QUOTAS['transforms']} transforms are taken; not created: merge presets or create the transform when one is free"
                yield manual("Tasks", shared.name, finding("QUOTA_EXCEEDED", message), *shared.translated.findings, sources=sources)
                continue
            body = {
                "properties": {
                    "description": f"Preset used by v2 tasks: {shared.label}"[:1000],
                    "outputs": [_output(shared.translated.preset)],
                }
            }
            yield resource_action(
                ResourceType.TRANSFORM, shared.name, body, sources=sources, phase=Phase.PREPARE,
                findings=shared.translated.findings,
            )


def _output(preset: dict[str, Any]) -> dict[str, Any]:
    return {"preset": preset, "onError": "StopProcessingJob", "relativePriority": "Normal"}


# -- the v2 entities ---------------------------------------------------------------------------


def map_job_template(template, ctx: MappingContext) -> list[Proposal]:
    task_templates = ctx.graph.needed_by_keys("JobTemplates", template.id, "TaskTemplates")
    sources = (template.id, *task_templates)
    if enum_value(template.template_type) != ACCOUNT_LEVEL_TEMPLATE:
        return [ignore("JobTemplates", template.id, "PRESET_BUILT_IN", "system job templates are Microsoft's", sources=sources)]
    outputs, findings = _template_outputs(template, ctx)
    if not outputs:
        return [manual("JobTemplates", template.id, *(findings or [finding("PRESET_CUSTOM", "the template has no task templates")]), sources=sources)]
    if len(outputs) > tables.QUOTAS["transformOutputsPerTransform"]:
        message = f"{len(outputs)} outputs; a transform holds {tables.QUOTAS['transformOutputsPerTransform']}: split the template into several transforms"
        return [manual("JobTemplates", template.id, finding("QUOTA_EXCEEDED", message), *findings, sources=sources)]
    transforms = template_transform_ranking(ctx)
    if not transforms.fits(template.id):
        message = f"{transforms.over_message(template.id, f'job template {template.name}', 'an account')} transforms; not created: merge templates into fewer transforms"
        return [manual("JobTemplates", template.id, finding("QUOTA_EXCEEDED", message), *findings, sources=sources)]
    name, renamed = v3_name(ResourceType.TRANSFORM, template.name, fallback=guid_of(template.id))
    if renamed:
        findings.append(renamed)
    body = {"properties": {"description": f"v2 job template {template.name or ''} ({template.id})", "outputs": outputs}}
    return [resource_action(ResourceType.TRANSFORM, name, body, sources=sources, phase=Phase.PREPARE, findings=tuple(findings))]


def _template_outputs(template, ctx: MappingContext) -> tuple[list[dict[str, Any]], list[Finding]]:
    outputs, findings = [], []
    for tt_id in ctx.graph.needed_by_keys("JobTemplates", template.id, "TaskTemplates"):
        tt = ctx.entity("TaskTemplates", tt_id)
        processor = ctx.entity("MediaProcessors", tt.media_processor_id) if tt and tt.media_processor_id else None
        translated = translate_preset(getattr(processor, "name", None), getattr(tt, "configuration", None))
        findings.extend(translated.findings)
        if translated.preset is not None:
            outputs.append(_output(translated.preset))
    return outputs, findings


def template_transform_ranking(ctx: MappingContext) -> Ranking:
    """Job templates that become transforms, by v2 id: they take the account's 100 places
    before the transforms planned from the presets tasks used (templates are what new jobs use)."""
    def ordered() -> list[str]:
        limit = tables.QUOTAS["transformOutputsPerTransform"]
        templates = (ctx.entity("JobTemplates", k) for k in ctx.graph.keys("JobTemplates"))
        return [
            t.id for t in templates
            if t is not None and enum_value(t.template_type) == ACCOUNT_LEVEL_TEMPLATE and 0 < len(_template_outputs(t, ctx)[0]) <= limit
        ]

    return ranking(ctx, "transforms", ("job templates",), ordered)


def map_task_template(template, ctx: MappingContext) -> list[Proposal]:
    if ctx.graph.need_keys("TaskTemplates", template.id, "JobTemplates"):
        return []  # an output of its job template's transform
    return [ignore("TaskTemplates", template.id, "GRAPH_DANGLING_REFERENCE", "the task template belongs to no job template")]


def map_job(job, ctx: MappingContext) -> list[Proposal]:
    state = enum_value(job.state)
    if state in IN_FLIGHT_JOB_STATES:
        return [manual("Jobs", job.id, finding("JOB_IN_FLIGHT", f"job {job.name or job.id} is {enum_name(job.state)}"))]
    return [ignore("Jobs", job.id, "JOB_HISTORY")]


def map_media_processor(processor, ctx: MappingContext) -> list[Proposal]:
    message = None
    if processor.name in tables.RETIRED_PROCESSORS:
        message = f"{processor.name} is retired; replacement: {tables.RETIRED_PROCESSORS[processor.name]}"
    return [ignore("MediaProcessors", processor.id, "PROCESSOR_LISTED", message)]


def map_reserved_units(units, ctx: MappingContext) -> list[Proposal]:
    return [ignore("EncodingReservedUnitTypes", units.account_id, "RESERVED_UNITS_DROPPED")]
