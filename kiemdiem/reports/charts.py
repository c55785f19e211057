"""Chart geometry for the statistics page, drawn as inline SVG by templates/reports/charts/.

No JavaScript and nothing the CSP blocks: shapes carry SVG presentation attributes (x, y,
width, height, fill as a fallback) and classes styled by static/reports/reports.css. Each bar
may carry a link (`href`): the chart drills down like the tables do."""
from __future__ import annotations

from dataclasses import dataclass, field

# Fallback fills (the stylesheet overrides them by class): best level first.
LEVEL_FILLS = ("#1e7d3c", "#4caf50", "#8bc34a", "#f0b429", "#e8743b", "#c62828")


def _r(x: float) -> float:
    return round(x, 1)


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    cls: str = ""
    fill: str = "#0b57d0"
    label: str = ""
    value: int = 0
    text: str = ""  # shown beside or above the bar
    href: str = ""
    key: str = ""  # data-key, for tests and styling


@dataclass
class Chart:
    width: int
    height: int
    title: str = ""
    bars: list[Bar] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)  # {x, y, text, anchor, cls}
    polyline: str = ""
    legend: list[dict] = field(default_factory=list)  # {cls, fill, text}

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def level_class(index: int, count: int) -> tuple[str, str]:
    """Class and fallback fill for the level at `index` of `count` in best-first order: the
    best is always dark green and the lowest always red, whatever the profile's number of
    levels."""
    last = len(LEVEL_FILLS) - 1
    i = round(index * last / (count - 1)) if count > 1 else 0
    i = max(0, min(i, last))
    return f"lv-{i}", LEVEL_FILLS[i]


def legend(levels: list[dict]) -> list[dict]:
    return [{"cls": level_class(i, len(levels))[0], "text": lv["name"]} for i, lv in enumerate(levels)]


def level_bars(dist: dict, levels: list[dict], title: str = "", href=None, width: int = 640) -> Chart:
    """Horizontal bars, one per level (best first): length is the share of the total; the text
    says "n (p%)". `href(level_code)` gives each bar's drill-down link."""
    row, label_w, gap = 30, 230, 8
    bar_max = width - label_w - 110
    total = dist.get("total", 0)
    chart = Chart(width=width, height=row * max(len(levels), 1) + 4, title=title)
    for i, lv in enumerate(levels):
        n = dist.get("by_level", {}).get(lv["code"], 0)
        share = n / total if total else 0.0
        cls, fill = level_class(i, len(levels))
        y = i * row + 4
        w = _r(bar_max * share)
        pct = round(100 * share, 1)
        chart.bars.append(Bar(x=label_w, y=y, w=w, h=row - gap, cls=f"bar {cls}", fill=fill, label=lv["name"], value=n,
                              text=f"{n} ({pct:g}%)".replace(".", ","), href=href(lv["code"]) if href else "", key=lv["code"]))
        chart.labels.append({"x": label_w - 6, "y": y + (row - gap) / 2 + 5, "text": lv["name"], "anchor": "end", "cls": "lbl"})
        chart.labels.append({"x": _r(label_w + w + 6), "y": y + (row - gap) / 2 + 5, "text": chart.bars[-1].text,
                             "anchor": "start", "cls": "val"})
    return chart


def progress_bars(stages: list[dict], labels: dict[str, str], href=None, width: int = 640) -> Chart:
    """Campaign progress: one track per stage, filled by the share of reviews through it."""
    row, label_w, gap = 30, 230, 8
    bar_max = width - label_w - 110
    chart = Chart(width=width, height=row * max(len(stages), 1) + 4)
    for i, s in enumerate(stages):
        y = i * row + 4
        share = s["through"] / s["total"] if s["total"] else 0.0
        w = _r(bar_max * share)
        chart.labels.append({"x": label_w - 6, "y": y + (row - gap) / 2 + 5, "text": labels.get(s["stage"], s["stage"]),
                             "anchor": "end", "cls": "lbl"})
        chart.bars.append(Bar(x=label_w, y=y, w=bar_max, h=row - gap, cls="track", fill="#eef1f6", key=f"track-{s['stage']}"))
        chart.bars.append(Bar(x=label_w, y=y, w=w, h=row - gap, cls="bar done", fill="#0b57d0", value=s["through"],
                              label=labels.get(s["stage"], s["stage"]), text=f"{s['through']}/{s['total']}",
                              href=href(s["stage"]) if href else "", key=s["stage"]))
        chart.labels.append({"x": label_w + bar_max + 6, "y": y + (row - gap) / 2 + 5, "text": f"{s['through']}/{s['total']}",
                             "anchor": "start", "cls": "val"})
    return chart


def trend_bars(points: list[dict], href=None, width: int = 640, height: int = 220) -> Chart:
    """Trend over years: one 100% stacked bar per campaign, members' levels best at the top."""
    chart = Chart(width=width, height=height)
    if not points:
        return chart
    top, bottom = 10, 30
    plot_h = height - top - bottom
    slot = width / len(points)
    bar_w = min(60.0, slot * 0.6)
    for i, p in enumerate(points):
        x = _r(i * slot + (slot - bar_w) / 2)
        order = sorted(p["ranks"], key=lambda code: -p["ranks"][code])
        y = float(top)
        for j, code in enumerate(order):
            n = p["by_level"].get(code, 0)
            if not p["total"] or not n:
                continue
            h = plot_h * n / p["total"]
            cls, fill = level_class(j, len(order))
            pct = round(100 * n / p["total"], 1)
            chart.bars.append(Bar(x=x, y=_r(y), w=_r(bar_w), h=_r(h), cls=f"bar {cls}", fill=fill, label=f"{p['year']} {code}",
                                  value=n, text=f"{code}: {n} ({pct:g}%)".replace(".", ","),
                                  href=href(p) if href else "", key=f"{p['year']}-{code}"))
            y += h
        chart.labels.append({"x": _r(x + bar_w / 2), "y": height - 10, "text": str(p["year"]), "anchor": "middle", "cls": "lbl"})
        if not p["total"]:
            chart.labels.append({"x": _r(x + bar_w / 2), "y": top + plot_h / 2, "text": "—", "anchor": "middle", "cls": "val"})
    return chart


def burndown_bars(points: list[dict], width: int = 640, height: int = 220, href: str = "") -> Chart:
    """Open remediation items at the end of each month, with a line through the bar tops."""
    chart = Chart(width=width, height=height)
    if not points:
        return chart
    top, bottom = 16, 30
    plot_h = height - top - bottom
    peak = max(p["open"] for p in points) or 1
    slot = width / len(points)
    bar_w = slot * 0.6
    coords = []
    for i, p in enumerate(points):
        h = plot_h * max(p["open"], 0) / peak
        x = i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        chart.bars.append(Bar(x=_r(x), y=_r(y), w=_r(bar_w), h=_r(h), cls="bar open", fill="#e8743b", label=p["month"],
                              value=p["open"], text=f"{p['month']}: {p['open']}", href=href, key=p["month"]))
        coords.append(f"{_r(x + bar_w / 2)},{_r(y)}")
        if i % max(1, len(points) // 6) == 0 or i == len(points) - 1:
            chart.labels.append({"x": _r(x + bar_w / 2), "y": height - 10, "text": p["month"], "anchor": "middle", "cls": "lbl"})
    chart.labels.append({"x": 4, "y": 12, "text": str(peak), "anchor": "start", "cls": "val"})
    chart.polyline = " ".join(coords)
    return chart
