"""A figure of the trial pipeline: trials started per year by country, and the top targets.

Needs matplotlib (the ``plot`` extra); drawn without pyplot, saved as PNG or SVG, with the
snapshot's sources in a footnote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cartlandscape.plots import _figure, _footnote, _save, _target

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.trials.model import Trial

__all__ = ["pipeline_plot"]

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f")


def pipeline_plot(
    trials: Sequence[Trial],
    path: str | Path,
    *,
    registry: Registry | None = None,
    countries: int = 5,
    targets: int = 12,
    title: str | None = None,
    source: str | None = None,
) -> Path:
    """Draw trials started per year for the top *countries* and the top *targets*.

    A trial with sites in several countries counts once in each; the remaining countries are
    grouped as "other".  *source* describes where the trials come from (default: the bundled
    snapshot).  Returns the path written.
    """
    target = _target(path)
    per_country = Counter(c for t in trials for c in t.countries)
    top = [c for c, _ in per_country.most_common(countries)]
    years = sorted({t.start_year for t in trials if t.start_year is not None})
    fig = _figure(12, 5.8)
    left = fig.add_axes((0.06, 0.22, 0.52, 0.68))
    right = fig.add_axes((0.70, 0.22, 0.28, 0.68))
    groups = [*top, "other"]
    for colour, group in zip(_PALETTE, groups, strict=False):
        counts = Counter(
            t.start_year
            for t in trials
            if t.start_year is not None
            and (
                group in t.countries if group != "other" else any(c not in top for c in t.countries)
            )
        )
        left.plot(
            years, [counts.get(y, 0) for y in years], marker="o", ms=3, label=group, color=colour
        )
    left.set_xlabel("year of start (as registered; later years are anticipated starts)")
    left.set_ylabel("trials started (count)")
    left.set_title("Trials started per year, by country of a site")
    left.legend(fontsize=8, frameon=False)
    left.grid(alpha=0.3)
    left.xaxis.get_major_locator().set_params(integer=True)
    named = Counter(i for t in trials for i in t.target_ids).most_common(targets)

    labels = [i if registry is None else registry.label_of("target", i) for i, _ in named]
    labels.reverse()
    right.barh(labels, [n for _, n in named][::-1], color="#1f77b4")
    right.set_xlabel("trials (count)")
    right.set_title("Top targets")
    right.tick_params(axis="y", labelsize=8)
    for y, (_, n) in enumerate(named[::-1]):
        right.text(n, y, f" {n}", va="center", fontsize=7)
    fig.suptitle(title or f"CAR-based cell therapy trials ({len(trials)} trials)", fontsize=12)
    undated = sum(1 for t in trials if t.start_year is None)
    _footnote(
        fig,
        [
            source
            or "Source: ClinicalTrials.gov study records (retrieved October 2026), through the "
            "table data/cart_trials_clean.csv of CARTBridgeHealth/CAR-T-Clinical-Trials-Analysis "
            "at commit 2ff033ac5d843be7e2077fb6cd05793318a7e3c4; targets annotated by "
            "cartlandscape from titles and intervention names.",
            f"{undated} trials without a start date are not in the left panel; "
            f"{sum(1 for t in trials if not t.countries)} trials list no country.",
        ],
    )
    return _save(fig, target)
