"""Bar charts as SVG drawn on the server: no chart library, no script, no inline style
(CSP allows neither), only SVG presentation attributes."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

COLOURS = ("#4a6fa5", "#d9822b", "#c23030", "#2e8b57")


def bar_chart(
    labels: list[str], series: dict[str, list[int]], *, title: str, width: int = 640
) -> Markup:
    """Grouped bars: one group per label, one bar per series (name -> values)."""
    height, top, bottom, left = 220, 24, 40, 36
    peak = max([1, *(v for values in series.values() for v in values)])
    group = (width - left - 8) / max(1, len(labels))
    bar = max(2.0, group * 0.8 / max(1, len(series)))
    scale = (height - top - bottom) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#888"/>',
        f'<text x="4" y="{top - 8}" font-size="11">{peak}</text>',
    ]
    for i, label in enumerate(labels):
        x0 = left + i * group + group * 0.1
        for j, (name, values) in enumerate(series.items()):
            h = values[i] * scale
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[j % len(COLOURS)]}">'
                f"<title>{escape(label)} {escape(name)} {values[i]}</title></rect>"
            )
        parts.append(
            f'<text x="{x0:.1f}" y="{height - bottom + 14}" font-size="10">{escape(label)}</text>'
        )
    for j, name in enumerate(series):
        x = left + j * 90
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" '
            f'fill="{COLOURS[j % len(COLOURS)]}"/><text x="{x + 14}" y="{height - 5}" '
            f'font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
