"""A landscape report: one self-contained HTML page to open in any browser, offline.

The page holds the approved products (agency, date, target, indication), the key efficacy,
durability and safety outcomes of those products with confidence intervals (Wilson intervals
for proportions with counts), the approvals timeline and forest plots as inline SVG, the
policies, the trial pipeline when the data hold trials, and every cited source with its
address.  Every figure names its citation, linked to the source.  Style sheet and script are
written into the page: it loads nothing from a network.  Tables sort by a click on a column
header and filter through the text box above them.

The charts need matplotlib (the ``plot`` extra); without it the page says so where they would
be.

>>> import cartlandscape, pathlib, tempfile
>>> out = write_report(cartlandscape.registry(), pathlib.Path(tempfile.mkdtemp()) / "r.html")
>>> page = out.read_text(encoding="utf-8")
>>> page.startswith("<!DOCTYPE html>") and 'id="products"' in page
True
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import importlib.util
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from cartlandscape.dates import undated_last
from cartlandscape.display import citation_html, source_address
from cartlandscape.report._assets import CSS, SCRIPT

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.models import Citation, Outcome, Therapy

__all__ = ["CHARTS_HINT", "charts_available", "render_report", "write_report"]

#: What the page says where charts would be when matplotlib is missing.
CHARTS_HINT: Final = (
    "The charts need matplotlib, the optional plot extra: "
    "python -m pip install 'cartlandscape[plot]'"
)
#: Endpoints and indications of the forest plots (those with at least three rows are drawn).
FOREST_ENDPOINTS: Final = ("orr", "cr")
#: Trials of these phases are listed one by one in the pipeline section.
LISTED_PHASES: Final = frozenset({"2", "3"})

_SVG_START = re.compile(r"^.*?(?=<svg\b)", re.S)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


class _Page:
    """The parts of the page being written, with the sources its figures cite."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.cited: dict[str, None] = {}
        self.tables = 0

    def cite(self, citations: Iterable[Citation]) -> str:
        found = []
        for citation in citations:
            self.cited.setdefault(citation.source)
            found.append(citation_html(citation, self.registry.sources.get))
        if not found:
            return ""
        return '<span class="cites">' + '<span class="sep">; </span>'.join(found) + "</span>"

    def table(
        self,
        name: str,
        headers: Sequence[str],
        rows: Iterable[Sequence[str | tuple[str, str]]],
        *,
        numeric: Sequence[int] = (),
        nowrap: Sequence[int] = (),
    ) -> str:
        """A sortable, filterable table; a cell is HTML, or ``(HTML, sort key)``."""
        self.tables += 1
        ident = f"table-{name}"
        head = "".join(f"<th scope='col'>{_e(h)}</th>" for h in headers)
        body = []
        count = 0
        for row in rows:
            count += 1
            cells = []
            for i, cell in enumerate(row):
                content, key = cell if isinstance(cell, tuple) else (cell, None)
                attributes = ' class="num"' if i in numeric else ""
                attributes = ' class="nowrap"' if i in nowrap else attributes
                if key is not None:
                    attributes += f' data-sort="{_e(key)}"'
                cells.append(f"<td{attributes}>{content}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        tools = (
            f'<div class="tools"><input type="search" placeholder="Filter rows…" '
            f'aria-label="Filter the rows of this table" data-filter="{ident}">'
            f'<span class="count">{count} rows</span></div>'
        )
        return (
            f'{tools}<div class="scroll"><table id="{ident}" class="sortable">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )


def _tags(items: Iterable[str]) -> str:
    return "".join(f'<span class="tag">{_e(i)}</span>' for i in items)


def charts_available() -> bool:
    """Whether matplotlib, which draws the charts, can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def _svg(draw: Callable[[Path], object]) -> str:
    """The SVG a plotting function writes, as markup to put inline in the page.

    Its text stays text (drawn in the page's sans-serif font) rather than glyph outlines: the
    page is smaller and the figures' labels can be searched and copied.
    """
    import matplotlib

    with (
        tempfile.TemporaryDirectory(prefix="cartlandscape-report-") as folder,
        matplotlib.rc_context({"svg.fonttype": "none"}),
    ):
        path = Path(folder) / "figure.svg"
        draw(path)
        text = path.read_text(encoding="utf-8")
    return _SVG_START.sub("", text, count=1)


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"


# -- sections ------------------------------------------------------------------------------------


def _approved(registry: Registry) -> list[Therapy]:
    def first(therapy: Therapy) -> str:
        milestone = therapy.first_approval()
        return str(milestone.date) if milestone is not None and milestone.date else "9999"

    return sorted(
        (t for t in registry.therapies if t.is_approved), key=lambda t: (first(t), t.name)
    )


def _products(page: _Page, therapies: Sequence[Therapy]) -> str:
    reg = page.registry
    rows = []
    for therapy in therapies:
        agencies = sorted({m.agency for m in therapy.approvals()})
        firsts = [m for a in agencies if (m := therapy.first_approval(a)) is not None]
        firsts.sort(key=lambda m: undated_last(m.date))
        indications = dict.fromkeys(
            reg.indications[m.indication].name for m in therapy.approvals() if m.indication
        )
        earliest = firsts[0].date if firsts and firsts[0].date else None
        brand = (
            f" <span class='cite'>{_e(', '.join(therapy.brands))}</span>" if therapy.brands else ""
        )
        rows.append(
            (
                f"<b>{_e(therapy.name)}</b>{brand}",
                _tags(reg.targets[t].name for t in therapy.targets),
                "<br>".join(f"{_e(m.agency)} {_e(m.date or 'date n/a')}" for m in firsts),
                (_e(earliest or ""), str(earliest or "")),
                _tags(indications),
                _e(", ".join(reg.institutions[d].name for d in therapy.developers)),
                page.cite(c for m in firsts for c in m.citations),
            )
        )
    return page.table(
        "products",
        [
            "product",
            "targets",
            "first approvals",
            "earliest",
            "approved indications",
            "developers",
            "sources",
        ],
        rows,
        nowrap=(2, 3),
    )


def _interval(outcome: Outcome) -> tuple[str, str]:
    """The Wilson interval of a proportion with counts, else an empty cell."""
    from cartlandscape.errors import CartlandscapeError
    from cartlandscape.stats import proportion_ci

    if outcome.endpoint.dimension != "proportion" or outcome.n is None:
        return ("", "")
    try:
        ci = proportion_ci(outcome, method="wilson")
    except (CartlandscapeError, ValueError):
        return ("", "")
    text = f"{ci.low:.1f}–{ci.high:.1f}%"
    if ci.derived:
        text += " <span class='cite'>responders derived</span>"
    return (text, f"{ci.low:.4f}")


def _outcomes(page: _Page, outcomes: Sequence[Outcome], name: str, with_ci: bool) -> str:
    reg = page.registry
    rows = []
    for o in outcomes:
        record = reg.therapies.get(o.therapy) if o.therapy else None
        therapy = record.name if record is not None else o.therapy
        indication = reg.indications[o.indication].name if o.indication else ""
        label = o.endpoint.label + (f" ({o.grading})" if o.grading else "")
        if o.timepoint is not None:
            label += f" at {o.timepoint}"
        magnitudes = o.value.magnitudes()
        study = (o.study.name or o.study.registry_id or "") if o.study else ""
        row: list[str | tuple[str, str]] = [
            _e(therapy or ""),
            _e(label),
            _e(indication),
            (_e(o.value.describe()), str(magnitudes[0]) if magnitudes else ""),
            ("" if o.n is None else str(o.n), "" if o.n is None else str(o.n)),
        ]
        if with_ci:
            row.append(_interval(o))
        row.extend([_e(study), page.cite(o.citations)])
        rows.append(row)
    headers = ["product", "endpoint", "indication", "value", "n"]
    if with_ci:
        headers.append("95% CI (Wilson)")
    headers.extend(["study", "sources"])
    return page.table(name, headers, rows, numeric=(3, 4, 5) if with_ci else (3, 4))


def _forest_plots(page: _Page, products: Sequence[Therapy]) -> str:
    """A forest plot per endpoint and indication with three or more outcomes with counts.

    Only the approved products' outcomes in exactly that indication are drawn, so no plot
    puts different diseases side by side.
    """
    from cartlandscape.compare import compare
    from cartlandscape.plots import forest_plot

    reg = page.registry
    ids = {t.id for t in products}
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for o in reg.outcomes:
        if o.endpoint.value in FOREST_ENDPOINTS and o.indication and o.therapy in ids:
            groups.setdefault((o.endpoint.value, o.indication), []).append(o)
    parts = []
    for (endpoint, indication), outcomes in sorted(groups.items()):
        if len([o for o in outcomes if o.n is not None]) < 3:
            continue
        outcomes.sort(key=lambda o: (o.therapy or "", o.id))
        result = compare(reg, outcomes, endpoint=endpoint, allow_mismatch=True)
        title = f"{result.endpoint.label} in {reg.indications[indication].name}"
        svg = _svg(functools.partial(forest_plot, result, pooled=False, title=title))
        sources = page.cite(c for row in result.rows for c in row.citations[:1])
        caption = (
            f"{_e(title)}: each "
            "outcome of an approved product with its 95% Wilson interval where the source "
            f"gives counts. Sources: {sources}"
        )
        parts.append(_figure(svg, caption))
    return "".join(parts) or "<p class='note'>No endpoint has three outcomes with counts.</p>"


def _timeline(page: _Page, charts: bool) -> tuple[str | None, str]:
    """The approvals timeline as an SVG chart (None without *charts*) and as a table."""
    from cartlandscape.summary import summarize

    summary = summarize(page.registry)
    svg = None
    if charts:
        from cartlandscape.plots import timeline_plot

        svg = _svg(lambda path: timeline_plot(summary, path))
    rows = [
        (
            (_e(e.date or "date n/a"), str(e.date or "")),
            _e(e.agency),
            _e(e.type.value),
            _e(e.name),
            _e(e.indication or ""),
            page.cite(e.citations),
        )
        for e in summary.timeline
    ]
    table = page.table(
        "timeline",
        ["date", "agency", "decision", "product", "indication", "sources"],
        rows,
        nowrap=(0,),
    )
    return svg, table


def _policies(page: _Page) -> str:
    reg = page.registry
    rows = [
        (
            f"<b>{_e(p.name)}</b>",
            _e(p.type.value),
            _e(", ".join(x for x in (p.city, p.region, p.country) if x)),
            _e(p.period or ""),
            _e(len(reg.statements_for(p))),
            page.cite(p.citations),
        )
        for p in sorted(reg.policies, key=lambda p: p.name)
    ]
    return page.table(
        "policies", ["policy", "type", "where", "period", "statements", "sources"], rows
    )


def _pipeline(page: _Page) -> str | None:
    """The trial pipeline, when the registry holds trials (else None)."""
    from cartlandscape.errors import CartlandscapeError

    reg = page.registry
    query = getattr(reg, "trials_for", None)
    try:
        if query is None or not len(getattr(reg, "trials", ())):
            return None
    except CartlandscapeError:  # trials annotated against data this registry does not hold
        return None
    from cartlandscape.trials.query import target_phase

    trials = query()
    cross = target_phase(trials, reg, limit=15)
    cross_rows: list[list[str | tuple[str, str]]] = [
        [
            _e(row[cross.row_label]),
            *((str(row[c]), str(row[c])) for c in cross.columns),
            (str(row["total"]), str(row["total"])),
        ]
        for row in cross.records()
    ]
    numeric = tuple(range(1, len(cross.columns) + 2))
    parts = [
        f"<p class='note'>{len(trials)} trials of CAR-based cell therapies in the data; "
        "a trial counts once in each of its targets and phases.</p>",
        "<h3>Trials by target and phase</h3>",
        page.table(
            "pipeline-targets",
            [cross.row_label, *cross.columns, "total"],
            cross_rows,
            numeric=numeric,
        ),
    ]
    listed = [t for t in trials if {p.value for p in t.phases} & LISTED_PHASES]
    listed.sort(key=lambda t: (str(t.start.date) if t.start else "", t.registry_id), reverse=True)
    rows = []
    for trial in listed:
        ident = trial.registry_id
        link = (
            f'<a href="https://clinicaltrials.gov/study/{_e(ident)}"><code>{_e(ident)}</code></a>'
            if ident.startswith("NCT")
            else f"<code>{_e(ident)}</code>"
        )
        targets = [reg.targets[t].name if t in reg.targets else t for t in trial.target_ids]
        rows.append(
            (
                link,
                _e(trial.title),
                _e(trial.phase_label),
                _e(trial.status.value if trial.status else ""),
                (
                    _e(trial.start.date if trial.start else ""),
                    str(trial.start.date if trial.start else ""),
                ),
                _tags(targets),
                _e(", ".join(trial.countries)),
                page.cite(trial.citations),
            )
        )
    parts.append(f"<h3>Phase 2 and phase 3 trials ({len(listed)})</h3>")
    parts.append(
        page.table(
            "trials",
            ["trial", "title", "phase", "status", "start", "targets", "countries", "sources"],
            rows,
            nowrap=(0, 2, 4),
        )
    )
    return "".join(parts)


def _sources(page: _Page) -> str:
    reg = page.registry
    rows = []
    for ident in sorted(page.cited):
        source = reg.sources.get(ident)
        if source is None:
            continue
        address = source_address(source)
        title = _e(source.title)
        if address:
            title = f'<a href="{_e(address)}">{title}</a>'
        rows.append(
            (
                f"<code id='source-{_e(ident)}'>{_e(ident)}</code>",
                title,
                _e(source.publisher or ""),
                (_e(source.published or ""), str(source.published or "")),
                _e(source.type.value),
                _e(source.effective_tier.value),
            )
        )
    return page.table("sources", ["id", "title", "publisher", "published", "type", "tier"], rows)


# -- the page ------------------------------------------------------------------------------------


def _approved_outcomes(
    reg: Registry, approved: list[Therapy]
) -> tuple[list[Outcome], list[Outcome], list[Outcome]]:
    """The approved products' efficacy, safety and durability outcomes, by endpoint."""
    ids = {t.id for t in approved}
    theirs = sorted(
        (o for o in reg.outcomes if o.therapy in ids),
        key=lambda o: (o.endpoint.label, o.indication or "", o.therapy or "", o.id),
    )
    efficacy = [o for o in theirs if not o.endpoint.is_safety and not o.endpoint.is_durability]
    durability = [o for o in theirs if o.endpoint.is_durability]
    safety = [o for o in theirs if o.endpoint.is_safety]
    return efficacy, safety, durability


def _timeline_section(page: _Page, charts: bool, no_charts: str) -> tuple[str, str, str]:
    """The approvals timeline: the chart (if drawn) and the table of every decision."""
    svg, timeline_table = _timeline(page, charts)
    timeline_svg = no_charts if svg is None else svg
    return (
        "timeline",
        "Approvals timeline",
        "<p class='note'>Every approval decision: a filled point is an approval, a hollow "
        "one a label expansion.</p>"
        + _figure(timeline_svg, "Approval decisions by agency.")
        + timeline_table,
    )


def _page_html(
    reg: Registry, approved: int, sections: list[tuple[str, str, str]], *, with_trials: bool
) -> str:
    """The whole page: its header with the counts, the navigation, and the sections."""
    version = reg.version
    counts = [
        (approved, "approved products"),
        (len(reg.therapies), "therapies"),
        (len(reg.outcomes), "outcomes"),
        (len(reg.sources), "sources"),
        (len(reg.policies), "policies"),
    ]
    if with_trials:
        counts.append((len(reg.trials), "trials"))
    cards = "".join(
        f"<div class='card'><b>{n}</b><span>{_e(what)}</span></div>" for n, what in counts
    )
    nav = "".join(
        f'<a href="#{ident}">{_e(title.split(" (")[0])}</a>' for ident, title, _ in sections
    )
    body = "".join(
        f'<section id="{ident}"><h2>{_e(title)}</h2>{content}</section>'
        for ident, title, content in sections
    )
    made = _dt.date.today().isoformat()
    data = _e(version) if version is not None else "unversioned data"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>CAR-T landscape report</title>"
        f"<style>{CSS}</style></head><body>"
        f"<header><h1>CAR-T cell therapy landscape</h1>"
        f"<p>cartlandscape {data}. Made {made}. Every figure cites its source.</p>"
        f"<div class='cards'>{cards}</div></header>"
        f"<nav>{nav}</nav><main>{body}</main>"
        "<footer>Made with cartlandscape. Values are as the sources state them; intervals are "
        "computed from the counts the sources give.</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def render_report(registry: Registry | None = None, *, charts: bool | None = None) -> str:
    """The report on *registry* (the bundled data by default) as one HTML page.

    ``charts=None`` draws the charts when matplotlib is installed; ``False`` leaves them out
    (the page says they need matplotlib); ``True`` requires matplotlib.
    """
    from cartlandscape.loading import registry as bundled
    from cartlandscape.plots import PLOT_HINT

    reg = registry if registry is not None else bundled()
    if charts is None:
        charts = charts_available()
    elif charts and not charts_available():
        raise ImportError(PLOT_HINT)
    page = _Page(reg)
    approved = _approved(reg)
    efficacy, safety, durability = _approved_outcomes(reg, approved)
    no_charts = f"<p class='missing'>{_e(CHARTS_HINT)}</p>"

    sections: list[tuple[str, str, str]] = []
    sections.append(
        (
            "products",
            f"Approved products ({len(approved)})",
            "<p class='note'>One row per product approved by at least one agency: its first "
            "approval by each agency, with the sources that date it.</p>"
            + _products(page, approved),
        )
    )
    sections.append(_timeline_section(page, charts, no_charts))
    sections.append(
        (
            "efficacy",
            f"Key efficacy outcomes ({len(efficacy)})",
            "<p class='note'>Response and remission rates of the approved products, as the "
            "sources give them; the interval is the 95% Wilson interval from the responders "
            "and patients counted, where the source gives them.</p>"
            + _outcomes(page, efficacy, "efficacy", with_ci=True),
        )
    )
    sections.append(
        (
            "forest",
            "Forest plots",
            _forest_plots(page, approved) if charts else no_charts,
        )
    )
    sections.append(
        (
            "safety",
            f"Key safety outcomes ({len(safety)})",
            "<p class='note'>Toxicity rates with the grades counted and their grading "
            "scale; 95% Wilson intervals where the source gives counts.</p>"
            + _outcomes(page, safety, "safety", with_ci=True),
        )
    )
    sections.append(
        (
            "durability",
            f"Durability ({len(durability)})",
            "<p class='note'>Medians and landmark rates of progression-free survival, "
            "overall survival and response duration.</p>"
            + _outcomes(page, durability, "durability", with_ci=True),
        )
    )
    sections.append(("policies", f"Policies ({len(reg.policies)})", _policies(page)))
    pipeline = _pipeline(page)
    if pipeline is not None:
        sections.append(("pipeline", "Trial pipeline", pipeline))
    sections.append(
        (
            "sources",
            f"Sources ({len(page.cited)})",
            "<p class='note'>Every source the figures above cite, with its address.</p>"
            + _sources(page),
        )
    )
    return _page_html(reg, len(approved), sections, with_trials=pipeline is not None)


def write_report(
    registry: Registry | None = None,
    path: str | Path = "landscape.html",
    *,
    charts: bool | None = None,
) -> Path:
    """Write the report (see :func:`render_report`) to *path*, whole or not at all."""
    from cartlandscape.atomic import write_text

    page = render_report(registry, charts=charts)
    target = Path(path)
    write_text(target, page)
    return target
