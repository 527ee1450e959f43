"""The publication's inline SVG charts, drawn from numbers only: a commitment's progress bar against
the progress expected, a ranking bar, and a plan's or commitment's line over the months (drawn
twice, wide and narrow, so a phone shows the narrow one with legible labels)."""

from __future__ import annotations

import html
from datetime import date

from exports.formatting import es_percent


def progress_bar_svg(progress: float, expected: float, color: str, width: int = 260) -> str:
    """A horizontal bar for progress with a tick at the expected %."""
    p = max(0.0, min(100.0, float(progress or 0)))
    e = max(0.0, min(100.0, float(expected or 0)))
    return (
        f'<svg class="bar" width="{width}" height="18" viewBox="0 0 {width} 18" role="img" '
        f'aria-label="avance {p:.0f} %, esperado {e:.0f} %">'
        f'<rect x="0" y="3" width="{width}" height="12" rx="3" fill="#eceff1"/>'
        f'<rect x="0" y="3" width="{width * p / 100:.1f}" height="12" rx="3" fill="{color}"/>'
        f'<line x1="{width * e / 100:.1f}" x2="{width * e / 100:.1f}" y1="0" y2="18" stroke="#263238" stroke-width="2"/>'
        "</svg>"
    )


def ranking_bar_svg(score: float, width: int = 220) -> str:
    s = max(0.0, min(100.0, float(score or 0)))
    return (
        f'<svg class="bar" width="{width}" height="14" viewBox="0 0 {width} 14" role="img" aria-label="{s:.1f} de 100">'
        f'<rect x="0" y="2" width="{width}" height="10" rx="3" fill="#eceff1"/>'
        f'<rect x="0" y="2" width="{width * s / 100:.1f}" height="10" rx="3" fill="#5e35b1"/></svg>'
    )


def line_chart_svg(
    series: list[tuple[date, float, float]],
    width: int = 720,
    height: int = 240,
    title: str = "Avance del plan por mes",
    lang: str = "es",
    font_size: int = 10,
    ticks: int = 8,
    css_class: str = "line-chart",
) -> str:
    """Progress (solid) and expected progress (dashed) over the months; its text alternative names
    what it shows and the first and last values."""
    if not series:
        return ""
    left, right, top, bottom = 4 * font_size, 3 * font_size, 10, 3 * font_size
    w, h = width - left - right, height - top - bottom
    n = max(len(series) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{left + w * i / n:.1f},{top + h * (1 - max(0.0, min(100.0, v)) / 100):.1f}"

    actual = " ".join(xy(i, s[1]) for i, s in enumerate(series))
    expected = " ".join(xy(i, s[2]) for i, s in enumerate(series))
    grid = "".join(
        f'<line x1="{left}" x2="{left + w}" y1="{top + h * (1 - g / 100):.1f}" y2="{top + h * (1 - g / 100):.1f}" stroke="#e0e0e0"/>'
        f'<text x="{left - 6}" y="{top + h * (1 - g / 100) + 4:.1f}" text-anchor="end" font-size="{font_size}">{g}%</text>'
        for g in (0, 25, 50, 75, 100)
    )
    # About `ticks` months labelled, the last always, none crowding it.
    step, last_index = max(1, -(-len(series) // ticks)), len(series) - 1
    labels = "".join(
        f'<text x="{left + w * i / n:.1f}" y="{height - 8}" text-anchor="middle" font-size="{font_size}">{s[0].strftime("%Y-%m")}</text>'
        for i, s in enumerate(series)
        if i == last_index or (i % step == 0 and last_index - i >= step)
    )
    first, last = series[0], series[-1]
    if lang == "es":
        summary = (
            f"{title}: de {es_percent(first[1])} en {first[0]:%m/%Y} a {es_percent(last[1])} en {last[0]:%m/%Y} "
            f"(esperado {es_percent(last[2])})"
        )
    else:
        summary = f"{title}: from {first[1]:.1f} % in {first[0]:%Y-%m} to {last[1]:.1f} % in {last[0]:%Y-%m} (expected {last[2]:.1f} %)"
    return (
        f'<svg class="{css_class}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(summary)}"><title>{html.escape(summary)}</title>'
        f"{grid}{labels}"
        f'<polyline fill="none" stroke="#90a4ae" stroke-width="2" stroke-dasharray="5,4" points="{expected}"/>'
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="3" points="{actual}"/>'
        "</svg>"
    )


def responsive_chart_svg(series: list[tuple[date, float, float]], *, title: str, lang: str = "es") -> str:
    """The chart twice: wide for a screen, narrow with larger type and fewer months for a phone
    (a 720-unit chart drawn 360 px wide would shrink its labels to half); the style sheet shows one."""
    if not series:
        return ""
    return line_chart_svg(series, title=title, lang=lang, css_class="line-chart chart-wide") + line_chart_svg(
        series,
        width=360,
        height=220,
        title=title,
        lang=lang,
        font_size=12,
        ticks=3,
        css_class="line-chart chart-narrow",
    )
