"""Charts drawn at build time: a static SVG of a figure, from the very data plotly draws.

A page shows this drawing until plotly.js has loaded and drawn the interactive chart in the
same box (readers without JavaScript, and print, keep it). It draws what the site's figures
use, simply: bars (vertical or horizontal, grouped or stacked), lines, markers, axes with
ticks on category, date and linear scales, a right-hand share axis, and a legend in rows
under the plot. Text and axes are ``currentColor`` and the grid a faint ``currentColor``, so
the drawing follows Material's light and dark schemes; every text is XML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass
from typing import Any

from . import format as fmt
from .i18n import current_locale

# The drawing's width in its own units: the content column of Material's desktop layout, where
# it is drawn at its size; elsewhere it scales to the column's width.
WIDTH = 688
FONT = 12
LEGEND_ROW = 19  # plotly's legend row
TEXT_WIDTH = 0.55  # a character's mean width, in font sizes (for laying out the legend)
DEFAULT_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}  # plotly's, where a figure sets none
# The content column of a phone (375 px wide, Material's margins off): a chart box on a screen
# narrower than Material's tablet layout is as tall as the chart is there (its legend in more rows).
NARROW = 343


def esc(value: Any) -> str:
    """Chart text as SVG text: Plotly's entity-escaped text decoded (our own ``<br>`` a
    space), then XML-escaped, so author text never becomes markup in the drawing either."""
    text = html.unescape(str(value).replace("<br>", " "))
    return html.escape(text, quote=True)


def _n(v: float) -> str:
    """A coordinate, to a tenth of a unit (compact, and the same on every build)."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --------------------------------------------------------------------------- scales


def _parse_date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) < 10 or value[4] != "-":
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _seconds(at: dt.datetime) -> float:
    """A naive time as seconds, read as UTC: the same drawing on every machine."""
    return at.replace(tzinfo=dt.UTC).timestamp()


def _from_seconds(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def _axis_kind(axis: dict, values: list) -> str:
    kind = axis.get("type")
    if kind in ("category", "date", "linear"):
        return kind
    shown = [v for v in values if v is not None]
    if shown and all(isinstance(v, (int, float)) for v in shown):
        return "linear"
    if shown and all(_parse_date(v) for v in shown):
        return "date"
    return "category"


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / max(target, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


@dataclass
class Scale:
    """A map from data to pixels along one axis, and its ticks as (pixel, label)."""

    kind: str
    lo: float
    hi: float
    p0: float  # pixel of lo
    p1: float  # pixel of hi
    categories: tuple[str, ...] = ()
    suffix: str = ""
    dtick: float | None = None

    def value(self, v: Any) -> float:
        if self.kind == "category":
            return float(self.categories.index(v))
        if self.kind == "date":
            return _seconds(_parse_date(v))  # type: ignore[arg-type]
        return float(v)

    def px(self, v: Any) -> float:
        span = self.hi - self.lo or 1.0
        return self.p0 + (self.value(v) - self.lo) / span * (self.p1 - self.p0)

    def band(self) -> float:
        """Pixels per category, or per smallest step between dates (the width of a bar)."""
        if self.kind == "category":
            return abs(self.p1 - self.p0) / max(len(self.categories), 1)
        return abs(self.p1 - self.p0) / max(self.hi - self.lo, 1e-9)

    def ticks(self) -> list[tuple[float, str]]:
        if self.kind == "category":
            return [(self.px(c), c) for c in self.categories]
        if self.kind == "date":
            return _date_ticks(self)
        step = self.dtick or _nice_step(self.hi - self.lo)
        first = math.ceil(self.lo / step - 1e-9) * step
        count = int((self.hi - first) / step + 1e-9) + 1
        values = [first + i * step for i in range(max(count, 0))]
        return [(self.px(v), fmt.number(round(v, 6)) + self.suffix) for v in values]


def _date_ticks(scale: Scale) -> list[tuple[float, str]]:
    """Ticks at whole hours, days, months or years, whichever gives a handful."""
    lo, hi = _from_seconds(scale.lo), _from_seconds(scale.hi)
    days = (hi - lo).total_seconds() / 86400
    locale = current_locale()
    if days <= 3:
        step, start = dt.timedelta(hours=6 if days > 1 else 2), lo.replace(minute=0, second=0)
        pattern = "d MMM HH:mm"
    elif days <= 60:
        step, start = dt.timedelta(days=max(1, round(days / 6))), lo.replace(hour=0, minute=0)
        pattern = "d MMM"
    else:
        months = max(1, round(days / 30.4 / 6))
        return _month_ticks(scale, lo, hi, months, locale)
    ticks, at = [], start
    while at <= hi:
        if at >= lo:
            text = fmt.datetime_text(at, pattern, locale)
            ticks.append((scale.px(at.isoformat()), text))
        at += step
    return ticks


def _month_ticks(scale: Scale, lo: dt.datetime, hi: dt.datetime, months: int, locale: str):
    step = 12 if months > 9 else months
    year, month = lo.year, lo.month
    ticks = []
    while dt.datetime(year, month, 1) <= hi:
        at = dt.datetime(year, month, 1)
        if at >= lo and (month - 1) % step == 0:
            text = str(year) if step == 12 else fmt.month(at.date(), locale)
            ticks.append((scale.px(at.isoformat()), text))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ticks


def _shown(v: Any) -> bool:
    """A value that is drawn: not missing, and a finite number if it is a number."""
    return v is not None and (not isinstance(v, float) or math.isfinite(v))


def _values(traces: list[dict], key: str) -> list:
    return [v for t in traces for v in (t.get(key) or [])]


def _categories(axis: dict, values: list) -> tuple[str, ...]:
    if axis.get("categoryorder") == "array" and axis.get("categoryarray"):
        return tuple(axis["categoryarray"])
    seen: dict[str, None] = {}
    for v in values:
        if v is not None:
            seen.setdefault(v, None)
    return tuple(seen)


def _span(axis: dict, kind: str, traces: list[dict], key: str, stacked: bool) -> tuple:
    """The data range of a numeric or date axis: the axis' own range, else the data's
    (from zero for bars and ``rangemode: tozero``), padded a little like plotly's."""
    if axis.get("range") and kind == "linear":
        return float(axis["range"][0]), float(axis["range"][1])
    probe = Scale(kind, 0, 1, 0, 1)
    values = [probe.value(v) for v in _values(traces, key) if _shown(v)]
    values = [v for v in values if math.isfinite(v)]
    if stacked:
        values += _stack_totals(traces, key)
    if not values:
        return 0.0, 1.0
    lo, hi = min(values), max(values)
    bars = any(t["type"] == "bar" for t in traces)
    if kind == "linear" and (bars or axis.get("rangemode") == "tozero"):
        lo = min(lo, 0.0)
    pad = (hi - lo) * 0.05 or (3600.0 if kind == "date" else abs(hi) * 0.05 or 1.0)
    if kind == "date" and bars:
        pad = max(pad, 43200.0)  # half a day each side of a daily bar
    return (lo if lo == 0 and kind == "linear" else lo - pad), hi + pad


def _stack_totals(traces: list[dict], key: str) -> list[float]:
    other = "x" if key == "y" else "y"
    totals: dict[Any, float] = {}
    for t in traces:
        for at, v in zip(t.get(other) or [], t.get(key) or [], strict=False):
            totals[at] = totals.get(at, 0.0) + (v or 0.0)
    return list(totals.values())


# --------------------------------------------------------------------------- the plot


@dataclass
class Frame:
    """The plot's box inside the drawing and its scales."""

    x0: float
    x1: float
    y0: float  # top
    y1: float  # bottom
    x: Scale
    y: Scale
    y2: Scale | None


def _scale(axis: dict, traces: list[dict], key: str, pixels: tuple[float, float], barmode: str):
    kind = _axis_kind(axis, _values(traces, key))
    p0, p1 = pixels
    if kind == "category":
        cats = _categories(axis, _values(traces, key))
        if axis.get("autorange") == "reversed":
            p0, p1 = p1, p0
        return Scale(kind, -0.5, len(cats) - 0.5, p0, p1, categories=cats)
    stacked = barmode == "stack" and any(t["type"] == "bar" for t in traces)
    lo, hi = _span(axis, kind, traces, key, stacked)
    suffix = axis.get("ticksuffix", "")
    return Scale(kind, lo, hi, p0, p1, suffix=suffix, dtick=axis.get("dtick"))


def _frame(fig: dict, height: float) -> Frame:
    layout = fig.get("layout", {})
    margin = {**DEFAULT_MARGIN, **layout.get("margin", {})}
    x0 = margin["l"]
    x1 = WIDTH - margin["r"] - side_legend_width(fig.get("data", []), layout)
    y0, y1 = margin["t"], height - margin["b"]
    traces = fig.get("data", [])
    left = [t for t in traces if t.get("yaxis", "y") == "y"]
    right = [t for t in traces if t.get("yaxis") == "y2"]
    mode = layout.get("barmode", "group")
    x = _scale(layout.get("xaxis", {}), traces, "x", (x0, x1), mode)
    y = _scale(layout.get("yaxis", {}), left, "y", (y1, y0), mode)
    y2 = _scale(layout.get("yaxis2", {}), right, "y", (y1, y0), mode) if right else None
    return Frame(x0, x1, y0, y1, x, y, y2)


class Drawing:
    """The SVG's parts, in drawing order; text anchors mirrored for right-to-left text."""

    def __init__(self, rtl: bool) -> None:
        self.parts: list[str] = []
        self.rtl = rtl

    def text(self, x: float, y: float, text: Any, anchor: str = "middle", extra: str = "") -> None:
        if self.rtl and anchor != "middle":
            anchor = "end" if anchor == "start" else "start"
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{esc(text)}</text>'
        )

    def path(self, d: str, attrs: str) -> None:
        if d:
            self.parts.append(f'<path d="{d}" {attrs}/>')


def _clip(text: str, room: float) -> str:
    """A tick label cut to the room beside the axis (plotly would grow the margin)."""
    most = max(int(room / (FONT * 0.58)), 4)
    plain = html.unescape(text)
    return plain if len(plain) <= most else plain[: most - 1] + "…"


def _axes(draw: Drawing, frame: Frame, layout: dict) -> None:
    """Grid lines at the value ticks, tick labels, axis lines and axis titles."""
    grid, base = [], []
    for px, label in frame.x.ticks():
        draw.text(px, frame.y1 + FONT + 4, label, "middle", ' class="cx-tick-x"')
        if frame.x.kind != "category":
            grid.append(f"M{_n(px)},{_n(frame.y0)}V{_n(frame.y1)}")
    room = frame.x0 - 8
    for py, label in frame.y.ticks():
        shown = _clip(label, room) if frame.y.kind == "category" else label
        draw.text(frame.x0 - 6, py + 4, shown, "end", ' class="cx-tick-y"')
        if frame.y.kind != "category":
            grid.append(f"M{_n(frame.x0)},{_n(py)}H{_n(frame.x1)}")
    if frame.y2 is not None:
        for py, label in frame.y2.ticks():
            draw.text(frame.x1 + 6, py + 4, label, "start", ' class="cx-tick-y2"')
    base.append(f"M{_n(frame.x0)},{_n(frame.y1)}H{_n(frame.x1)}")
    draw.path("".join(grid), 'class="cx-grid"')
    draw.path("".join(base), 'class="cx-axis"')
    _titles(draw, frame, layout)


def _title(axis: dict) -> str:
    title = axis.get("title") or {}
    return title.get("text", "") if isinstance(title, dict) else str(title)


def _titles(draw: Drawing, frame: Frame, layout: dict) -> None:
    xt = _title(layout.get("xaxis", {}))
    if xt:
        draw.text((frame.x0 + frame.x1) / 2, frame.y1 + 2 * FONT + 10, xt, "middle",
                  ' class="cx-title"')  # fmt: skip
    middle = (frame.y0 + frame.y1) / 2
    yt = _title(layout.get("yaxis", {}))
    if yt:
        x = max(frame.x0 - 48, FONT)
        draw.text(x, middle, yt, "middle", f' class="cx-title" transform="rotate(-90 {_n(x)} '
                  f'{_n(middle)})"')  # fmt: skip
    y2t = _title(layout.get("yaxis2", {}))
    if y2t and frame.y2 is not None:
        x = min(frame.x1 + 48, WIDTH - FONT)
        draw.text(x, middle, y2t, "middle", f' class="cx-title" transform="rotate(90 {_n(x)} '
                  f'{_n(middle)})"')  # fmt: skip


# --------------------------------------------------------------------------- traces


def _colour(trace: dict) -> str:
    marker = trace.get("marker", {})
    line = trace.get("line", {})
    colour = line.get("color") or marker.get("color")
    return colour if isinstance(colour, str) else "#1f77b4"


def _bars(draw: Drawing, frame: Frame, traces: list[dict], barmode: str) -> None:
    """Every bar trace: side by side in a category's band (``group``) or on top of each other
    (``stack``); horizontal ones along the x axis. One path per colour."""
    bars = [t for t in traces if t["type"] == "bar"]
    slots = 1 if barmode == "stack" else max(len(bars), 1)
    stacks: dict[Any, float] = {}
    for i, t in enumerate(bars):
        flat = t.get("orientation") == "h"
        along, across = (frame.x, frame.y) if flat else (frame.y, frame.x)
        cats, values = (t.get("y"), t.get("x")) if flat else (t.get("x"), t.get("y"))
        band = _band(across, cats or [])
        width = band * 0.8 / slots
        offset = -band * 0.4 + (0 if slots == 1 else i * width)
        colours = t.get("marker", {}).get("color")
        by_colour: dict[str, list[str]] = {}
        for n, (cat, value) in enumerate(zip(cats or [], values or [], strict=False)):
            if not _shown(value) or cat is None:
                continue
            start = stacks.get(cat, 0.0) if barmode == "stack" else 0.0
            stacks[cat] = start + value
            colour = colours[n] if isinstance(colours, list) else _colour(t)
            a, b = along.px(start), along.px(start + value)
            c = across.px(cat) + offset
            shape = (
                f"M{_n(min(a, b))},{_n(c)}h{_n(abs(b - a))}v{_n(width)}h{_n(-abs(b - a))}z"
                if flat
                else f"M{_n(c)},{_n(max(a, b))}h{_n(width)}v{_n(-abs(b - a))}h{_n(-width)}z"
            )
            by_colour.setdefault(colour, []).append(shape)
        for colour, shapes in by_colour.items():
            draw.path("".join(shapes), f'fill="{esc(colour)}" class="cx-bar"')


def _band(scale: Scale, cats: list) -> float:
    if scale.kind == "category":
        return scale.band()
    spots = sorted({scale.px(c) for c in cats if c is not None})
    steps = [b - a for a, b in zip(spots, spots[1:], strict=False) if b - a > 0]
    return min(steps) if steps else abs(scale.p1 - scale.p0) / 10


DASHES = {"dot": "2 4", "dash": "7 4", "dashdot": "7 3 2 3"}


def _points(frame: Frame, t: dict) -> list[tuple[float, float] | None]:
    """A scatter trace's points in pixels (None where a value is missing)."""
    y_scale = frame.y2 if t.get("yaxis") == "y2" and frame.y2 else frame.y
    out: list[tuple[float, float] | None] = []
    for x, y in zip(t.get("x") or [], t.get("y") or [], strict=False):
        out.append((frame.x.px(x), y_scale.px(y)) if _shown(x) and _shown(y) else None)
    return out


def _line(draw: Drawing, points: list, t: dict) -> None:
    d, pen = [], "M"
    for p in points:
        if p is None:
            pen = "M"
            continue
        d.append(f"{pen}{_n(p[0])},{_n(p[1])}")
        pen = "L"
    line = t.get("line", {})
    dash = DASHES.get(line.get("dash", ""))
    attrs = f'fill="none" stroke="{esc(_colour(t))}" stroke-width="{_n(line.get("width", 2))}"'
    draw.path("".join(d), attrs + (f' stroke-dasharray="{dash}"' if dash else "") +
              ' class="cx-line"')  # fmt: skip


def symbol(name: str, x: float, y: float, size: float) -> tuple[str, bool]:
    """A plotly marker symbol as path data at (x, y), ``size`` its diameter, and whether it is
    filled (``-open`` symbols, crosses and ticks are drawn as outlines)."""
    r = size / 2
    base = name.replace("-open", "")
    pts: list[tuple[float, float]]
    if base in ("x", "line-ns"):
        if base == "line-ns":
            return f"M{_n(x)},{_n(y - r)}v{_n(size)}", False
        return (f"M{_n(x - r)},{_n(y - r)}l{_n(size)},{_n(size)}"
                f"M{_n(x - r)},{_n(y + r)}l{_n(size)},{_n(-size)}"), False  # fmt: skip
    if base.startswith("diamond"):
        pts = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif base == "triangle-right":
        pts = [(x + r, y), (x - r, y - r), (x - r, y + r)]
    elif base == "square":
        pts = [(x - r * 0.85, y - r * 0.85), (x + r * 0.85, y - r * 0.85),
               (x + r * 0.85, y + r * 0.85), (x - r * 0.85, y + r * 0.85)]  # fmt: skip
    elif base == "star":
        pts = [_polar(x, y, r if k % 2 == 0 else r * 0.45, k * 36 - 90) for k in range(10)]
    elif base == "hexagon":
        pts = [_polar(x, y, r, k * 60 - 90) for k in range(6)]
    else:  # circle
        return (f"M{_n(x - r)},{_n(y)}a{_n(r)},{_n(r)} 0 1,0 {_n(size)},0"
                f"a{_n(r)},{_n(r)} 0 1,0 {_n(-size)},0z"), not name.endswith("-open")  # fmt: skip
    d = "M" + "L".join(f"{_n(px)},{_n(py)}" for px, py in pts) + "z"
    if base == "diamond-x":
        d += f"M{_n(x - r / 2)},{_n(y - r / 2)}l{_n(r)},{_n(r)}M{_n(x - r / 2)},{_n(y + r / 2)}"
        d += f"l{_n(r)},{_n(-r)}"
        return d, False
    return d, not name.endswith("-open")


def _polar(x: float, y: float, r: float, degrees: float) -> tuple[float, float]:
    a = math.radians(degrees)
    return x + r * math.cos(a), y + r * math.sin(a)


def _markers(draw: Drawing, points: list, t: dict) -> None:
    marker = t.get("marker", {})
    sizes = marker.get("size", 6)
    name = marker.get("symbol", "circle")
    colour = esc(_colour(t) if not isinstance(marker.get("color"), str) else marker["color"])
    filled_d, open_d = [], []
    for n, p in enumerate(points):
        if p is None:
            continue
        size = sizes[n] if isinstance(sizes, list) else sizes
        d, filled = symbol(name, p[0], p[1], float(size))
        (filled_d if filled else open_d).append(d)
    width = _n(marker.get("line", {}).get("width", 1.5))
    draw.path("".join(filled_d), f'fill="{colour}" fill-opacity=".85" class="cx-mark"')
    draw.path("".join(open_d), f'fill="none" stroke="{colour}" stroke-width="{width}" '
              'class="cx-mark"')  # fmt: skip


def _scatters(draw: Drawing, frame: Frame, traces: list[dict]) -> None:
    for t in traces:
        if t["type"] != "scatter":
            continue
        points = _points(frame, t)
        mode = t.get("mode", "lines+markers")
        if "lines" in mode:
            _line(draw, points, t)
        if "markers" in mode:
            _markers(draw, points, t)


# --------------------------------------------------------------------------- legend


def _legend_entries(traces: list[dict]) -> list[dict]:
    named = [t for t in traces if t.get("name") and t.get("showlegend", True)]
    if len(named) >= 2 or any(t.get("showlegend") is True for t in named):
        return named
    return []


def _swatch(t: dict, x: float, y: float) -> tuple[str, str]:
    """The legend's picture of a trace: a bar's square, a line, or a marker."""
    colour = esc(_colour(t))
    if t["type"] == "bar":
        return f"M{_n(x)},{_n(y - 6)}h12v12h-12z", f'fill="{colour}"'
    mode = t.get("mode", "lines+markers")
    if "markers" in mode:
        marker = t.get("marker", {})
        fill = marker.get("color") if isinstance(marker.get("color"), str) else _colour(t)
        d, filled = symbol(marker.get("symbol", "circle"), x + 8, y, 10)
        paint = f'fill="{esc(fill)}"' if filled else f'fill="none" stroke="{esc(fill)}"'
        return d, paint
    line = t.get("line", {})
    dash = DASHES.get(line.get("dash", ""))
    width = min(float(line.get("width", 2)), 6)
    attrs = f'fill="none" stroke="{colour}" stroke-width="{_n(width)}"'
    return f"M{_n(x)},{_n(y)}h18", attrs + (f' stroke-dasharray="{dash}"' if dash else "")


def _item_width(t: dict) -> float:
    """A legend item's width as plotly lays it out: the swatch's 40 units, then the name."""
    return 40 + len(html.unescape(str(t["name"]))) * FONT * TEXT_WIDTH


def side_legend_width(traces: list[dict], layout: dict) -> float:
    """Room a legend beside the plot takes (plotly's default, vertical, legend); 0 for a
    legend in rows under the plot, or none."""
    entries = _legend_entries(traces)
    if not entries or layout.get("legend", {}).get("orientation") == "h":
        return 0.0
    title = _title(layout.get("legend", {}))
    return max([_item_width(t) for t in entries] + [len(title) * FONT * TEXT_WIDTH]) + 12


def _legend(draw: Drawing, traces: list[dict], frame: Frame, layout: dict) -> None:
    """The legend, laid out as plotly does: under the plot in rows of LEGEND_ROW (one row if
    it fits the plot's width, else a grid of the widest item's width: ``drawing_height``
    counts the rows), or beside the plot in a column."""
    entries = _legend_entries(traces)
    if not entries:
        return
    title = _title(layout.get("legend", {}))
    if layout.get("legend", {}).get("orientation") != "h":
        x, y = frame.x1 + 12, frame.y0 + LEGEND_ROW / 2
        if title:
            draw.text(x, y + 4, title, "start", ' class="cx-legend-title"')
            y += LEGEND_ROW
        for t in entries:
            _legend_item(draw, t, x, y)
            y += LEGEND_ROW
        return
    widths, column, per_row, _rows = _legend_grid(entries, frame.x1 - frame.x0)
    top = float(layout.get("height", 450)) + 2  # under the axis title, as the page script puts it
    for n, t in enumerate(entries):
        row, col = divmod(n, per_row)
        x = frame.x0 + (sum(widths[:col]) + col * 3 if per_row == len(entries) else col * column)
        _legend_item(draw, t, x, top + row * LEGEND_ROW + LEGEND_ROW / 2)


def _legend_grid(entries: list[dict], room: float) -> tuple[list[float], float, int, int]:
    """A legend in rows under a plot ``room`` units wide: each item's width, the grid's
    column width, items per row and rows (one row if every item fits side by side)."""
    widths = [_item_width(t) for t in entries]
    column = max(widths) + 3
    per_row = len(entries) if sum(widths) <= room else max(int(room // column), 1)
    return widths, column, per_row, -(-len(entries) // per_row)


def _legend_item(draw: Drawing, t: dict, x: float, y: float) -> None:
    d, paint = _swatch(t, x + 4, y)
    draw.path(d, paint)
    draw.text(x + 40, y + 4, t["name"], "start", ' class="cx-legend"')


# --------------------------------------------------------------------------- the drawing


def drawing_height(fig: dict, width: float = WIDTH) -> float:
    """The chart's height in a content column ``width`` pixels wide: the figure's height,
    plus the rows of a legend under the plot, which wraps into more rows on a narrow screen.
    At ``WIDTH`` it is the drawing's own height. The page gives the chart's box this height
    (``NARROW`` on phones) and plotly's chart is drawn at it, so nothing below the box moves."""
    layout = fig.get("layout", {})
    height = float(layout.get("height", 450))
    entries = _legend_entries(fig.get("data", []))
    if not entries or layout.get("legend", {}).get("orientation") != "h":
        return height
    margin = {**DEFAULT_MARGIN, **layout.get("margin", {})}
    rows = _legend_grid(entries, width - margin["l"] - margin["r"])[3]
    return height + rows * LEGEND_ROW + 10


def chart_svg(fig: dict, labelled_by: str, rtl: bool = False) -> str:
    """The figure as one inline SVG element, named by the elements ``labelled_by`` (the
    caption and summary ids). The box is as tall as the figure, plus the legend's rows."""
    layout = fig.get("layout", {})
    height = float(layout.get("height", 450))
    frame = _frame(fig, height)
    draw = Drawing(rtl)
    traces = fig.get("data", [])
    _axes(draw, frame, layout)
    _bars(draw, frame, traces, layout.get("barmode", "group"))
    _scatters(draw, frame, traces)
    _legend(draw, traces, frame, layout)
    total = drawing_height(fig)
    direction = ' direction="rtl"' if rtl else ""
    return (
        f'<svg class="cx-static" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{esc(labelled_by)}" viewBox="0 0 {WIDTH} {_n(total)}" '
        f'width="100%" height="{_n(total)}" preserveAspectRatio="xMidYMin meet"{direction} '
        f'font-size="{FONT}">' + "".join(draw.parts) + "</svg>"
    )
