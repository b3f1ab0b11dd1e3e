"""Bar charts drawn at build time as inline SVG: no JavaScript, the same numbers
as the table beside them, a <title> and <desc> read by screen readers
(role="img", aria-labelledby) and a text alternative in the page.

Every piece of text is escaped here; render_bar_chart is the one function
whose output templates print unescaped (it returns markupsafe.Markup). No
style= attributes: colours are presentation attributes and gk-chart__* classes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
FONT = 14
LABEL_CHARS = 16            # longer labels are cut with … (the full label is in the bar's <title>)
VALUE_WIDTH = 90
PLOT_WIDTH = 360
TOP = 8


@dataclass
class Bar:
    label: str
    value: Decimal
    text: str               # the number as the table shows it


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def text_alternative(title: str, bars: list, unit: str) -> str:
    """One sentence a screen reader (and the <desc>) reads: every bar and its number."""
    parts = "；".join(f"{b.label} {b.text} {unit}" for b in bars)
    return f"{title}：{parts}。"


def render_bar_chart(chart_id: str, title: str, bars: list, unit: str) -> Markup:
    """A horizontal bar chart. Bars start at zero; negative values extend left."""
    if not bars:
        return Markup("")
    label_w = FONT * min(LABEL_CHARS, max(len(_cut(b.label)) for b in bars)) + 12
    low = min(Decimal(0), min(b.value for b in bars))
    high = max(Decimal(0), max(b.value for b in bars))
    span = (high - low) or Decimal(1)
    zero_x = label_w + float((0 - low) / span) * PLOT_WIDTH
    width = label_w + PLOT_WIDTH + VALUE_WIDTH
    height = TOP * 2 + len(bars) * (BAR_HEIGHT + GAP)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [f'<svg class="gk-chart__svg" xmlns="http://www.w3.org/2000/svg" role="img" '
           f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet">',
           f'<title id="{escape(title_id)}">{escape(title)}（单位：{escape(unit)}）</title>',
           f'<desc id="{escape(desc_id)}">{escape(text_alternative(title, bars, unit))}</desc>']
    for n, bar in enumerate(bars):
        y = TOP + n * (BAR_HEIGHT + GAP)
        w = abs(float(bar.value / span)) * PLOT_WIDTH
        x = zero_x if bar.value >= 0 else zero_x - w
        mid = y + BAR_HEIGHT / 2 + FONT / 2 - 2
        neg = " gk-chart__bar--negative" if bar.value < 0 else ""
        out.append(f'<g class="gk-chart__row"><title>{escape(bar.label)}：{escape(bar.text)} {escape(unit)}</title>'
                   f'<text class="gk-chart__label" x="{label_w - 8}" y="{mid:.1f}" text-anchor="end" '
                   f'font-size="{FONT}" fill="#0b0c0c">{escape(_cut(bar.label))}</text>'
                   f'<rect class="gk-chart__bar{neg}" x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" '
                   f'height="{BAR_HEIGHT}" fill="{"#d4351c" if bar.value < 0 else "#1d70b8"}"/>'
                   f'<text class="gk-chart__value" x="{label_w + PLOT_WIDTH + 6}" y="{mid:.1f}" '
                   f'font-size="{FONT}" fill="#0b0c0c">{escape(bar.text)}</text></g>')
    out.append(f'<line x1="{zero_x:.1f}" y1="{TOP - 4}" x2="{zero_x:.1f}" y2="{height - TOP + 4}" '
               f'stroke="#505a5f" stroke-width="1"/>')
    out.append("</svg>")
    return Markup("".join(out))
