"""Render a plan's report as HTML, Markdown, JSON or CSV.

HTML autoescaping is switched on explicitly for the HTML environment, whatever the template's
file name (jinja2's ``select_autoescape`` looks only at the final extension, so
``report.html.j2`` would not be escaped by it), and every template runs with
``StrictUndefined`` so a misspelt field fails loudly instead of printing nothing. Markdown
cells escape table pipes and HTML; CSV cells that a spreadsheet would run as a formula are
quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import escape

from migrator.exceptions import ConfigError
from migrator.reports.model import Report, build_report
from migrator.reports.svg import bar_chart, neighbourhood

FORMATS = ("html", "md", "json", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_report(
    plan, fmt: str, out: str | os.PathLike, *, top_n: int = 50, inventory: str | os.PathLike | None = None
) -> list[Path]:
    """Write the report of ``plan`` in ``fmt`` to ``out``; returns every file written.

    ``inventory`` (the plan's inventory file) adds the v2 locators' full URLs to the URL table.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")
    out = Path(out)
    if not out.parent.is_dir():
        raise ConfigError(f"directory {out.parent} does not exist", hint="create it first or choose another --out")
    report = build_report(plan, top_n=top_n, v2_paths=None if inventory is None else v2_locator_paths(inventory))
    if fmt == "csv":
        return write_csv(report, out)
    text = {"html": render_html, "md": render_markdown, "json": render_json}[fmt](report)
    out.write_text(text, encoding="utf-8")
    return [out]


def v2_locator_paths(inventory: str | os.PathLike) -> dict[str, str]:
    """v2 locator id -> its Path (``https://<host>/<guid>/``), streamed from the inventory file."""
    from migrator.v2.store import InventoryStore

    with InventoryStore.open(inventory) as store:
        if "Locators" not in store.meta.counts:
            return {}
        return {locator.id: locator.path for locator in store.entities("Locators") if locator.path}


def _environment(*, html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("migrator.reports", "templates"),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_cell
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def render_html(report: Report) -> str:
    template = _environment(html=True).get_template("report.html.j2")
    return template.render(
        report=report,
        chart=bar_chart(report.families),
        diagrams=[(n, neighbourhood(n.address, n.upstream, n.downstream)) for n in report.neighbourhoods],
    )


def render_markdown(report: Report) -> str:
    return _environment(html=False).get_template("report.md.j2").render(report=report)


def markdown_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no pipe splits it, no HTML renders from it."""
    text = " ".join(str(value).split())
    return str(escape(text)).replace("|", "\\|")


def report_document(report: Report) -> dict[str, Any]:
    """The whole report as JSON-ready data: every row of every section."""
    document = dataclasses.asdict(dataclasses.replace(report, actions=()))
    document.pop("actions")
    document["quotas"] = [dict(row, over=q.over, percent=q.percent) for row, q in zip(document["quotas"], report.quotas)]
    document["coverage"] = [{"entity_set": s, "total": t, "accounted": a} for s, t, a in report.coverage]
    document["families"] = {family: dict(counts) for family, counts in report.families}
    document["fully_covered"] = report.fully_covered
    return document


def render_json(report: Report) -> str:
    return json.dumps(report_document(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_csv(report: Report, out: Path) -> list[Path]:
    """``out``: one row per action; beside it ``<stem>-urls.csv`` (for CDN and player teams) and ``<stem>-findings.csv``."""
    urls = out.with_name(f"{out.stem}-urls.csv")
    findings = out.with_name(f"{out.stem}-findings.csv")
    _write_rows(
        out,
        ["address", "change", "resource_type", "name", "phase", "operation", "irreversible", "downtime", "sources", "depends_on", "findings"],
        (
            [
                a.address,
                a.change.value,
                a.resource_type or "",
                a.name,
                a.phase.value,
                a.operation,
                a.irreversible,
                a.downtime,
                " ".join(a.sources),
                " ".join(a.depends_on),
                " ".join(f.code for f in a.findings),
            ]
            for a in report.actions
        ),
    )
    _write_rows(
        urls,
        ["v2_locator_id", "v2_path", "v3_locator", "v3_path", "host", "path_kept", "change"],
        ([u.v2_locator_id, u.v2_path, u.v3_locator, u.v3_path, u.host, u.path_kept, u.change] for u in report.urls),
    )
    _write_rows(
        findings,
        ["severity", "code", "address", "message", "remediation"],
        ([f.severity, f.code, f.address, f.message, f.remediation] for f in report.findings),
    )
    return [out, urls, findings]


def _write_rows(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([_csv_cell(v) for v in row] for row in rows)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
