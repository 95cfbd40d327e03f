"""Job templates and presets -> transforms; jobs, tasks, processors, reserved units."""

from __future__ import annotations

from inventory_fixtures import CUSTOM_PRESET, MemoryInventory, sample_account, sample_context
from openapi_check import body_errors

from migrator.mappings import tables
from migrator.mappings.base import Mode
from migrator.v2 import entities as e

from migrator.mappings.encoding import EncodingPlanner, map_job, map_job_template, map_media_processor, map_reserved_units, translate_preset
from migrator.plan import Change


def test_a_system_preset_maps_to_the_built_in_v3_preset():
    translated = translate_preset("Media Encoder Standard", "H264 Multiple Bitrate 720p")
    assert translated.preset == {"@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset", "presetName": "H264MultipleBitrate720p"}


def test_a_custom_json_preset_is_translated_with_bitrates_in_bps():
    preset = translate_preset("Media Encoder Standard", CUSTOM_PRESET).preset
    video, audio = preset["codecs"]
    assert video == {
        "@odata.type": "#Microsoft.Media.H264Video",
        "keyFrameInterval": "PT2S",
        "layers": [{"bitrate": 3400000, "maxBitrate": 3400000, "profile": "Auto", "level": "auto", "width": "1280", "height": "720",
                    "bFrames": 3, "referenceFrames": 3, "adaptiveBFrame": True, "frameRate": "0/1", "bufferWindow": "PT5S"}],
    }
    assert audio == {"@odata.type": "#Microsoft.Media.AacAudio", "profile": "AacLc", "channels": 2, "samplingRate": 48000, "bitrate": 128000}
    assert preset["formats"] == [{"@odata.type": "#Microsoft.Media.Mp4Format", "filenamePattern": "{Basename}_{Resolution}_{Bitrate}.mp4"}]


def test_what_does_not_translate_is_listed_for_manual_work():
    translated = translate_preset("Media Encoder Standard", '{"Codecs": [{"Type": "H264Video", "H264Layers": [{"Bitrate": 1000, "Crf": 3}], "Sharpen": 1},'
                                  '{"Type": "PngImage"}], "Outputs": [{"FileName": "{Index}.mp4", "Format": {"Type": "MP4Format"}}]}')
    message = next(f.message for f in translated.findings if f.code == "PRESET_CUSTOM")
    assert message == "not translated: H264Layer.Crf, H264Video.Sharpen, codec PngImage, file name macro {Index}"


def test_retired_processors_name_their_replacement():
    translated = translate_preset("Azure Media Indexer", "<config/>")
    assert translated.preset is None
    assert translated.findings[0].message == "Azure Media Indexer is retired; use AudioAnalyzerPreset (basic mode) or Video Indexer"


def test_xml_presets_are_left_for_manual_work():
    assert translate_preset("Media Encoder Standard", "<Preset/>").findings[0].code == "PRESET_CUSTOM"


def test_a_job_template_becomes_a_renamed_transform_with_its_task_templates_as_outputs(inventory, new_ctx):
    [proposal] = map_job_template(inventory.get("JobTemplates", "nb:jtid:UUID:jt1"), new_ctx)
    action = proposal.action
    assert action.name == "My template-1-9bc2b17f"
    assert action.sources == ("nb:jtid:UUID:jt1", "nb:ttid:UUID:tt1")
    assert action.body["properties"]["outputs"][0]["preset"]["presetName"] == "AdaptiveStreaming"
    assert "My template/1" in action.body["properties"]["description"]
    assert body_errors(action) == []


def test_tasks_with_the_same_preset_share_one_transform_and_retired_ones_become_manual(inventory, new_ctx):
    planner = EncodingPlanner(new_ctx)
    for task in inventory.entities("Tasks"):
        planner.add_task(task)
    actions = [p.action for p in planner.proposals()]
    assert sorted(a.change for a in actions) == sorted([Change.CREATE, Change.CREATE, Change.MANUAL])
    for action in actions:
        if action.change is Change.CREATE:
            assert body_errors(action) == []
    assert sorted(s for a in actions for s in a.sources) == ["nb:tid:UUID:t1", "nb:tid:UUID:t2", "nb:tid:UUID:t3"]


def test_running_jobs_must_drain_and_finished_jobs_are_history(inventory, new_ctx):
    [running] = map_job(inventory.get("Jobs", "nb:jid:UUID:j2"), new_ctx)
    [done] = map_job(inventory.get("Jobs", "nb:jid:UUID:j1"), new_ctx)
    assert (running.action.change, running.action.findings[0].code) == (Change.MANUAL, "JOB_IN_FLIGHT")
    assert (done.action.change, done.action.findings[0].code) == (Change.IGNORE, "JOB_HISTORY")


def test_processors_and_reserved_units_are_ignored_with_reasons(inventory, new_ctx):
    [indexer] = map_media_processor(inventory.get("MediaProcessors", "nb:mpid:UUID:idx"), new_ctx)
    assert "retired" in indexer.action.findings[0].message
    [units] = map_reserved_units(next(inventory.entities("EncodingReservedUnitTypes")), new_ctx)
    assert units.action.findings[0].code == "RESERVED_UNITS_DROPPED"


def _with_templates(count: int):
    items, links = sample_account()
    extra, extra_links = [], []
    for n in range(count):
        extra.append(e.JobTemplate(id=f"nb:jtid:UUID:x{n}", name=f"extra {n}", template_type=1))
        extra.append(e.TaskTemplate(id=f"nb:ttid:UUID:x{n}", media_processor_id="nb:mpid:UUID:mes", configuration="Adaptive Streaming"))
        extra_links.append((f"nb:jtid:UUID:x{n}", f"nb:ttid:UUID:x{n}"))
    links = {**links, ("JobTemplates", "TaskTemplates"): [*links[("JobTemplates", "TaskTemplates")], *extra_links]}
    inventory = MemoryInventory([*items, *extra], links)
    return inventory, sample_context(Mode.NEW_ACCOUNT, inventory)


def test_job_templates_past_the_transform_quota_are_manual_and_leave_no_place_for_task_presets(monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "transforms", 2)
    inventory, ctx = _with_templates(2)
    keys = ["nb:jtid:UUID:x1", "nb:jtid:UUID:x0", "nb:jtid:UUID:jt1"]
    changes = {k: map_job_template(inventory.get("JobTemplates", k), ctx)[0].action for k in keys}
    # By v2 id: jt1 and x0 take the two places.
    assert {k: a.change for k, a in changes.items()} == {"nb:jtid:UUID:jt1": Change.CREATE, "nb:jtid:UUID:x0": Change.CREATE, "nb:jtid:UUID:x1": Change.MANUAL}
    assert changes["nb:jtid:UUID:x1"].findings[0].code == "QUOTA_EXCEEDED"
    planner = EncodingPlanner(ctx)
    for task in inventory.entities("Tasks"):
        planner.add_task(task)
    shared = [p.action for p in planner.proposals()]
    assert Change.CREATE not in [a.change for a in shared]
    assert sum(a.findings[0].code == "QUOTA_EXCEEDED" for a in shared) == 2


def test_task_presets_fill_only_the_transform_places_templates_leave(monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "transforms", 2)
    inventory, ctx = _with_templates(0)
    planner = EncodingPlanner(ctx)
    for task in inventory.entities("Tasks"):
        planner.add_task(task)
    shared = [p.action for p in planner.proposals()]
    # One place goes to job template jt1; of the two translatable presets one fits.
    assert sorted(a.change for a in shared) == sorted([Change.CREATE, Change.MANUAL, Change.MANUAL])
    assert [f.code for a in shared if a.change is Change.MANUAL for f in a.findings].count("QUOTA_EXCEEDED") == 1


def test_a_job_template_with_more_outputs_than_a_transform_holds_is_manual(monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "transformOutputsPerTransform", 0)
    inventory, ctx = _with_templates(0)
    [proposal] = map_job_template(inventory.get("JobTemplates", "nb:jtid:UUID:jt1"), ctx)
    assert proposal.action.change is Change.MANUAL and proposal.action.findings[0].code == "QUOTA_EXCEEDED"
