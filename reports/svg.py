"""Geometry of the report's inline SVG pictures; the HTML template draws it (and escapes the text).

No plotting library: two small pictures, laid out here as plain numbers so the page needs no
script and no external asset, and prints as it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

CHANGES = ("create", "modify", "no-change", "ignore", "unsupported", "manual")
_LABEL_WIDTH = 190
_BAR_WIDTH = 420
_ROW_HEIGHT = 22
_BOX_WIDTH = 230
_BOX_HEIGHT = 24
_SIDE_LIMIT = 6


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    change: str
    count: int


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float
    total: int
    total_x: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class LegendItem:
    x: float
    change: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    rows: tuple[BarRow, ...]
    legend_y: float
    legend: tuple[LegendItem, ...]


def bar_chart(families: Sequence[tuple[str, Mapping[str, int]]]) -> BarChart:
    """One horizontal bar per family, stacked by change type, scaled to the largest family."""
    largest = max((sum(counts.values()) for _, counts in families), default=0) or 1
    rows = []
    for index, (family, counts) in enumerate(families):
        y = index * _ROW_HEIGHT
        x = float(_LABEL_WIDTH)
        segments = []
        for change in CHANGES:
            count = counts.get(change, 0)
            if count:
                width = max(1.0, _BAR_WIDTH * count / largest)
                segments.append(Segment(round(x, 1), round(width, 1), change, count))
                x += width
        rows.append(BarRow(_shorten(family, 28), y, sum(counts.values()), round(x + 6, 1), tuple(segments)))
    legend_y = len(rows) * _ROW_HEIGHT + 10
    legend = tuple(LegendItem(_LABEL_WIDTH + i * 110, change) for i, change in enumerate(CHANGES))
    return BarChart(_LABEL_WIDTH + _BAR_WIDTH + 150 + 160, int(legend_y + 24), _LABEL_WIDTH, tuple(rows), legend_y, legend)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    label: str
    role: str  # upstream, blocker, downstream, more


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    box_width: int
    box_height: int
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]


def neighbourhood(center: str, upstream: Sequence[str], downstream: Sequence[str]) -> Diagram:
    """What the blocked entity needs (left), the entity (middle), what waits for it (right)."""
    left = _side(upstream)
    right = _side(downstream)
    rows = max(len(left), len(right), 1)
    height = rows * (_BOX_HEIGHT + 10) + 10
    center_y = (height - _BOX_HEIGHT) / 2
    columns = (10, 10 + _BOX_WIDTH + 60, 10 + 2 * (_BOX_WIDTH + 60))
    boxes = [Box(columns[1], center_y, _shorten(center, 34), "blocker")]
    lines = []
    for column, labels, into_center in ((columns[0], left, True), (columns[2], right, False)):
        top = (height - len(labels) * (_BOX_HEIGHT + 10) + 10) / 2
        for index, (label, role) in enumerate(labels):
            y = top + index * (_BOX_HEIGHT + 10)
            boxes.append(Box(column, y, label, role))
            mid = y + _BOX_HEIGHT / 2
            if into_center:
                lines.append(Line(column + _BOX_WIDTH, mid, columns[1], center_y + _BOX_HEIGHT / 2))
            else:
                lines.append(Line(columns[1] + _BOX_WIDTH, center_y + _BOX_HEIGHT / 2, column, mid))
    return Diagram(columns[2] + _BOX_WIDTH + 10, int(height), _BOX_WIDTH, _BOX_HEIGHT, tuple(boxes), tuple(lines))


def _side(addresses: Sequence[str]) -> list[tuple[str, str]]:
    shown = [(_shorten(a, 34), "node") for a in addresses[:_SIDE_LIMIT]]
    if len(addresses) > _SIDE_LIMIT:
        shown.append((f"+{len(addresses) - _SIDE_LIMIT} more", "more"))
    return shown


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
