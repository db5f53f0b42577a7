"""Server-rendered SVG bar charts: no JavaScript, no CDN, readable by screen readers.

The SVG carries ``role="img"`` with a ``<title>`` and ``<desc>``; the template also renders
the same numbers as a table, so nothing depends on seeing the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape

WIDTH, HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 36, 40, 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def _nice_maximum(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000):
        if value <= step * 4:
            return step * 4
    return value


def bar_chart_svg(bars: list[Bar], *, title: str, description: str) -> str:
    """An accessible SVG bar chart of ``bars`` (integers), scaled to a round maximum."""
    top = _nice_maximum(max((bar.value for bar in bars), default=0) or 1)
    plot_width = WIDTH - MARGIN_LEFT - 8
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = plot_width / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" class="keyport-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for tick in range(5):
        value = top * tick // 4
        y = MARGIN_TOP + plot_height - plot_height * tick / 4
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
            f"{value}</text>"
        )
    for index, bar in enumerate(bars):
        height = plot_height * bar.value / top
        x = MARGIN_LEFT + index * slot + slot * 0.15
        y = MARGIN_TOP + plot_height - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            'class="bar">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
        label_x = x + slot * 0.35
        parts.append(
            f'<text x="{label_x:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle" '
            f'class="axis">{escape(bar.label)}</text>'
        )
        if bar.value:
            parts.append(
                f'<text x="{label_x:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">'
                f"{bar.value}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
