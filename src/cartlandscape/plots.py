"""Figures: a forest plot of an endpoint across therapies, and an approvals timeline.

Needs the optional ``plot`` extra (``pip install 'cartlandscape[plot]'``); matplotlib is
imported on first use.  Figures are drawn on the Agg canvas without pyplot, so nothing changes
a program's own matplotlib state, and saved as PNG or SVG (by the file's suffix).  Each figure
has labelled axes with units, a title, and its sources in a footnote.

>>> import tempfile, pathlib, cartlandscape
>>> reg = cartlandscape.registry()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> timeline_plot(reg, folder / "approvals.svg").stat().st_size > 0
True
"""

from __future__ import annotations

import importlib
import textwrap
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from cartlandscape._registry import Registry
from cartlandscape.atomic import replacing
from cartlandscape.compare import Comparison, Row, Table
from cartlandscape.dates import PartialDate
from cartlandscape.errors import ComparisonError, InsufficientDataError
from cartlandscape.models import Citation
from cartlandscape.pooling import PooledEstimate, pool
from cartlandscape.stats import Method, ProportionCI, proportion_ci
from cartlandscape.summary import Summary, summarize
from cartlandscape.values import Approximate, Bound, NotReached, Range

__all__ = ["PLOT_HINT", "forest_plot", "timeline_plot"]

#: The message given when matplotlib is missing.
PLOT_HINT: Final = "plots need matplotlib: python -m pip install 'cartlandscape[plot]'"
_FORMATS: Final = (".png", ".svg")
_WRAP: Final = 130
_LABEL_WIDTH: Final = 34


def _figure(width: float, height: float) -> Any:
    """A matplotlib Figure on an Agg canvas (no pyplot, no global backend change)."""
    try:
        figure = importlib.import_module("matplotlib.figure")
        agg: ModuleType = importlib.import_module("matplotlib.backends.backend_agg")
    except ImportError:
        raise ImportError(PLOT_HINT) from None
    fig = figure.Figure(figsize=(width, height), layout=None)
    agg.FigureCanvasAgg(fig)
    return fig


def _target(path: str | Path) -> Path:
    target = Path(path)
    if target.suffix.lower() not in _FORMATS:
        raise ValueError(f"save figures as .png or .svg, not {target.name!r}")
    return target


def _sources(citations: Iterable[Citation], *, locators: bool = True) -> str:
    """The footnote naming every cited source (with its locators, when there are few)."""
    found: dict[str, list[str]] = {}
    for c in citations:
        places = found.setdefault(c.source, [])
        if c.locator not in places:
            places.append(c.locator)
    if not locators:
        return "Sources (cartlandscape source ids): " + "; ".join(found)
    return "Sources: " + "; ".join(f"{s} ({', '.join(locs)})" for s, locs in found.items())


def _footnote(fig: Any, paragraphs: Sequence[str]) -> int:
    """Write wrapped *paragraphs* at the bottom of *fig*; return the number of lines."""
    lines = [line for p in paragraphs if p for line in textwrap.wrap(p, _WRAP)]
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=7, va="bottom", ha="left", color="#444444")
    return len(lines)


def _save(fig: Any, target: Path) -> Path:
    """Save *fig* to *target* whole or not at all (see :mod:`cartlandscape.atomic`)."""
    kind = target.suffix.lower().lstrip(".")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Names and notes are data: a "$" in them is a dollar sign, never matplotlib's mathtext.
    for text in fig.findobj(importlib.import_module("matplotlib.text").Text):
        text.set_parse_math(False)
    with warnings.catch_warnings(), replacing(target) as temporary:
        # Names in scripts the default font lacks are drawn as boxes, not refused.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        fig.savefig(
            temporary, format=kind, dpi=150, metadata={"Software": None} if kind == "png" else {}
        )
    return target


def _percent(x: float) -> str:
    return f"{x:.3g}"


def _row_label(row: Row) -> str:
    study = row.outcome.study
    label = row.name
    if study is not None and (study.name or study.registry_id):
        label += f" ({study.name or study.registry_id})"
    return "\n".join(textwrap.wrap(label, _LABEL_WIDTH)) or label


def _pooled(
    result: Comparison | Table,
    cis: Sequence[ProportionCI | None],
    wanted: bool | None,
    level: float,
) -> tuple[PooledEstimate | None, str]:
    if wanted is False:
        return None, ""
    usable = [r.outcome for r, ci in zip(result.rows, cis, strict=True) if ci is not None]
    if wanted is None and len(usable) < 2:
        return None, ""
    if wanted is None and result.mismatches:
        return None, "No pooled estimate: the rows were compared despite their differences."
    try:
        return pool(usable, level=level), ""
    except (ComparisonError, InsufficientDataError) as exc:
        if wanted:
            raise
        return None, f"No pooled estimate: {exc}."


def forest_plot(
    result: Comparison | Table,
    path: str | Path,
    *,
    pooled: bool | None = None,
    method: Method = "wilson",
    level: float = 0.95,
    title: str | None = None,
) -> Path:
    """Draw the rows of a comparison or ranking with their confidence intervals; save to *path*.

    A row with ``n`` gets the interval of *method* (see :func:`cartlandscape.stats.
    proportion_ci`); a row without one is drawn as the source gave it (a point, a range, or an
    arrow for a bound), with no interval; a median that was not reached is labelled "not
    reached" and not drawn.  ``pooled=None`` adds the DerSimonian–Laird pooled
    estimate (a diamond) when two or more rows have counts and the result has no mismatch,
    ``True`` requires it (errors from :func:`cartlandscape.pooling.pool` are raised),
    ``False`` leaves it out.  Returns the path written (``.png`` or ``.svg``).

    >>> import tempfile, pathlib
    >>> from cartlandscape import Citation, Outcome, Registry, Source, Therapy
    >>> from cartlandscape.compare import compare
    >>> cite = (Citation(source="s", locator="table 2"),)
    >>> reg = Registry([Source(id="s", title="A review", type="review"),
    ...     Therapy(id="a-cel", name="A-cel", citations=cite),
    ...     Therapy(id="b-cel", name="B-cel", citations=cite),
    ...     Outcome(id="a", therapy="a-cel", endpoint="orr", value="73 percent", n=97,
    ...             citations=cite),
    ...     Outcome(id="b", therapy="b-cel", endpoint="orr", value="97 percent", n=97,
    ...             citations=cite)])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "orr.png"
    >>> forest_plot(compare(reg, ["a-cel", "b-cel"], endpoint="orr"), out) == out
    True
    """
    target = _target(path)
    rows = result.rows
    if not rows:
        raise ValueError("nothing to plot: the result has no rows")
    endpoint = result.endpoint
    proportion = endpoint.dimension == "proportion"
    cis = _row_cis(rows, proportion, method, level)
    estimate, why_not = _pooled(result, cis, pooled if proportion else False, level)
    fig = _figure(9.5, 1.6 + 0.5 * (len(rows) + (2 if estimate else 0)))
    ax = fig.add_axes((0.3, 0.3, 0.48, 0.6))
    y_of = list(range(len(rows), 0, -1))
    labels = []
    for y, row, ci in zip(y_of, rows, cis, strict=True):
        labels.append(_row_label(row))
        text = _draw_row(ax, y, row, ci, proportion)
        ax.text(1.02, y, text, transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    ticks = list(y_of)
    if estimate is not None:
        _draw_pooled(ax, estimate)
        labels.append("Pooled (random effects)")
        ticks.append(0)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.set_ylim(min(ticks) - 0.8, max(ticks) + 0.8)
    unit = result.unit
    ax.set_xlabel(f"{endpoint.label} ({unit})")
    if proportion:
        ax.set_xlim(-2, 102)
        ax.set_xticks(range(0, 101, 20))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(title or result.heading(grading=False), fontsize=11)
    notes = _forest_notes(result, cis, estimate, why_not, level, proportion)
    lines = _footnote(fig, notes)
    height = fig.get_figheight()
    bottom = min(0.6, (0.55 + 0.13 * lines) / height)
    ax.set_position((0.3, bottom, 0.48, max(0.1, 1 - bottom - 0.5 / height)))
    return _save(fig, target)


def _row_cis(
    rows: Sequence[Row], proportion: bool, method: Method, level: float
) -> list[ProportionCI | None]:
    """Each row's confidence interval for a proportion, or None (no counts, or no proportion)."""
    cis: list[ProportionCI | None] = []
    for row in rows:
        try:
            cis.append(
                proportion_ci(row.outcome, method=method, level=level) if proportion else None
            )
        except InsufficientDataError:
            cis.append(None)
    return cis


def _draw_row(ax: Any, y: int, row: Row, ci: ProportionCI | None, proportion: bool) -> str:
    """Draw one row of a forest plot at height *y*; return the text printed beside it."""
    value = row.converted
    if ci is not None:
        ax.plot([ci.low, ci.high], [y, y], color="black", linewidth=1.2)
        ax.plot([ci.estimate], [y], marker="s", color="#1f4e79", markersize=7)
        return f"{_percent(ci.estimate)} ({_percent(ci.low)}–{_percent(ci.high)}), n={ci.n}"
    if isinstance(value, Range):
        ax.plot([value.low, value.high], [y, y], color="#1f4e79", linewidth=4)
        return value.describe()
    if isinstance(value, Bound):
        low, high = value.interval()
        end = low if value.relation.startswith(">") else high
        arrow = 100.0 if proportion and value.relation.startswith(">") else None
        ax.annotate(
            "",
            xy=(arrow if arrow is not None else (end * 1.25 if end == low else 0.0), y),
            xytext=(end, y),
            arrowprops={"arrowstyle": "->", "color": "#1f4e79"},
        )
        ax.plot([end], [y], marker="|", color="#1f4e79", markersize=12)
        return value.describe()
    if isinstance(value, NotReached):
        # No number to place: the row is labelled, and nothing is drawn.
        return value.describe() + ("" if row.n is None else f", n={row.n}")
    hollow = isinstance(value, Approximate)
    ax.plot(
        [value.magnitudes()[0]],
        [y],
        marker="o",
        markerfacecolor="white" if hollow else "#1f4e79",
        color="#1f4e79",
        markersize=7,
    )
    return value.describe() + ("" if row.n is None else f", n={row.n}")


def _draw_pooled(ax: Any, estimate: PooledEstimate) -> None:
    """Draw the pooled estimate as a diamond at height 0, with its prediction interval."""
    # The prediction interval as a thin bar through the diamond, then the diamond on top.
    ax.plot([estimate.pi_low, estimate.pi_high], [0.0, 0.0], color="#c0504d", linewidth=1.0)
    for end in (estimate.pi_low, estimate.pi_high):
        ax.plot([end, end], [-0.12, 0.12], color="#c0504d", linewidth=1.0)
    ax.fill(
        [estimate.low, estimate.estimate, estimate.high, estimate.estimate],
        [0.0, 0.3, 0.0, -0.3],
        color="#c0504d",
        zorder=3,
    )
    ax.axvline(estimate.estimate, color="#c0504d", linestyle=":", linewidth=0.8)
    ax.text(
        1.02,
        0.0,
        f"{_percent(estimate.estimate)} ({_percent(estimate.low)}–{_percent(estimate.high)})"
        f", I²={estimate.i2 * 100:.0f}%\nPI {_percent(estimate.pi_low)}–"
        f"{_percent(estimate.pi_high)}",
        transform=ax.get_yaxis_transform(),
        va="center",
        fontsize=8,
    )


def _forest_notes(
    result: Comparison | Table,
    cis: Sequence[ProportionCI | None],
    estimate: PooledEstimate | None,
    why_not: str,
    level: float,
    proportion: bool,
) -> list[str]:
    """The footnotes of a forest plot: how rows are drawn, derivations, pooling and sources."""
    notes = []
    if proportion and any(ci is not None for ci in cis):
        method_name = next(ci.method for ci in cis if ci is not None)
        notes.append(
            f"Squares: {_percent(level * 100)}% confidence intervals ({method_name}); rows "
            "without n are drawn as reported (circle: exact, hollow: approximate, bar: range, "
            "arrow: bound)."
        )
    derived = [ci.note.removeprefix("responders derived from ") for ci in cis if ci and ci.note]
    if derived:
        notes.append("Responders derived from the percentage and n: " + "; ".join(derived) + ".")
    if estimate is not None:
        notes.append(
            f"Diamond: pooled estimate and {_percent(level * 100)}% confidence interval "
            f"({estimate.method}, k={estimate.k}, τ²={estimate.tau2:.3g}); bar through it: "
            f"{_percent(level * 100)}% prediction interval"
            + (
                f"; continuity correction {estimate.correction:g} for "
                f"{', '.join(estimate.corrected)}"
                if estimate.corrected
                else ""
            )
            + "."
        )
    if why_not:
        notes.append(why_not)
    if result.mismatches:
        notes.append("Compared despite: " + "; ".join(str(m) for m in result.mismatches) + ".")
    notes.append(_sources(c for row in result.rows for c in row.citations))
    return notes


def _year_fraction(date: PartialDate) -> float:
    start = date.earliest
    return start.year + (start.timetuple().tm_yday - 1) / 365.25


# Long for its docstring (a doctest included); the code is under 80 lines.
def timeline_plot(
    data: Registry | Summary,
    path: str | Path,
    *,
    agencies: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Draw every approval of a registry or summary in time, one row per product and agency.

    Each row is a product's approvals by one agency (rows grouped by agency, each in order of
    first approval); a filled point is an approval, a hollow one a label expansion.  Undated
    approvals are listed in the footnote with the sources.  Returns the path written
    (``.png`` or ``.svg``).

    >>> import tempfile, pathlib, cartlandscape
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "timeline.png"
    >>> timeline_plot(cartlandscape.registry(), out, agencies=["NMPA", "FDA"]) == out
    True
    """
    target = _target(path)
    summary = data if isinstance(data, Summary) else summarize(data)
    wanted = None if agencies is None else [a.upper() for a in agencies]
    entries = [e for e in summary.timeline if wanted is None or e.agency in wanted]
    lanes = wanted or sorted({e.agency for e in entries})
    dated = [e for e in entries if e.date is not None]
    first: dict[tuple[str, str], float] = {}
    for entry in dated:
        assert entry.date is not None
        key = (entry.agency, entry.name)
        first[key] = min(first.get(key, float("inf")), _year_fraction(entry.date))
    rows = sorted(first, key=lambda key: (lanes.index(key[0]), first[key], key[1]))
    notes = ["Filled: approval or conditional approval; hollow: label expansion."]
    undated = [e for e in entries if e.date is None]
    if undated:
        notes.append(
            "Undated approvals (not drawn): "
            + "; ".join(
                f"{e.name} ({e.agency}, {e.indication or 'indication n/a'})" for e in undated
            )
            + "."
        )
    citations = [c for e in entries for c in e.citations]
    notes.append(_sources(citations, locators=len(citations) <= 12))
    lines = sum(len(textwrap.wrap(n, _WRAP)) for n in notes)
    plot_height = 0.9 + 0.3 * max(1, len(rows))
    foot_height = 0.35 + 0.13 * lines
    fig = _figure(10.0, plot_height + foot_height + 0.6)
    height = fig.get_figheight()
    ax = fig.add_axes((0.3, (foot_height + 0.45) / height, 0.66, (plot_height - 0.45) / height))
    colours = ["#1f4e79", "#c55a11", "#548235", "#7030a0"]
    for entry in dated:
        assert entry.date is not None
        y = rows.index((entry.agency, entry.name))
        colour = colours[lanes.index(entry.agency) % len(colours)]
        expansion = entry.type.value == "label-expansion"
        ax.plot(
            [_year_fraction(entry.date)],
            [y],
            marker="o",
            color=colour,
            markerfacecolor="white" if expansion else colour,
            markersize=6,
            linestyle="none",
        )
    if dated:
        years = [_year_fraction(e.date) for e in dated if e.date is not None]
        start, stop = int(min(years)), int(max(years)) + 1
        ax.set_xlim(start - 0.3, stop + 0.3)
        ax.set_xticks(range(start, stop + 1), [str(y) for y in range(start, stop + 1)])
    else:
        ax.text(0.5, 0.5, "no dated approvals", transform=ax.transAxes, ha="center", va="center")
        ax.set_xticks([])
    ax.set_yticks(range(len(rows)), [f"{name} ({agency})" for agency, name in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("date of approval (year)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    version = f" — data {summary.version}" if summary.version else ""
    ax.set_title(title or f"CAR-T approvals by agency{version}", fontsize=11)
    _footnote(fig, notes)
    return _save(fig, target)
