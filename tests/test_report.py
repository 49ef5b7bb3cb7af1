"""The landscape report: one self-contained HTML page, checked as text and in a real browser.

The browser tests drive the system's Chromium (Debian package ``chromium``) through Playwright;
where either is missing they are skipped, saying which.
"""

from __future__ import annotations

import html.parser
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cartlandscape
from cartlandscape.cli import main
from cartlandscape.models import Citation, Source, Target
from cartlandscape.report import CHARTS_HINT, charts_available, render_report, write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def reg() -> cartlandscape.Registry:
    return cartlandscape.registry()


@pytest.fixture(scope="module")
def report(reg: cartlandscape.Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(reg, tmp_path_factory.mktemp("report") / "landscape.html")


@pytest.fixture(scope="module")
def page_text(report: Path) -> str:
    return report.read_text(encoding="utf-8")


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _tags(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(text)
    return parser.found


def _approved(reg: cartlandscape.Registry) -> list[str]:
    return [t.name for t in reg.therapies if t.is_approved]


def test_the_page_loads_nothing_from_a_network(page_text: str) -> None:
    tags = _tags(page_text)
    assert not [a for t, a in tags if t in ("script", "img", "iframe") and a.get("src")]
    assert not [a for t, a in tags if t == "link"]
    assert "@import" not in page_text
    assert not re.search(r"url\(\s*['\"]?https?:", page_text)
    if charts_available():
        assert page_text.count("<svg") >= 2  # the timeline and forest plots, inline


def test_products_table_has_one_row_per_approved_product(
    reg: cartlandscape.Registry, page_text: str
) -> None:
    table = page_text.split('id="table-products"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") - 1 == len(_approved(reg))
    for name in _approved(reg):
        assert html.escape(name) in table


def test_every_cited_source_is_linked_and_listed(
    reg: cartlandscape.Registry, page_text: str
) -> None:
    links = {a.get("href") for t, a in _tags(page_text) if t == "a"}
    cited = set(re.findall(r"<code id='source-([^']+)'>", page_text))
    assert cited
    for ident in cited:
        source = reg.sources[ident]
        address = source.url or (f"https://doi.org/{source.doi}" if source.doi else source.read_at)
        if address:
            assert address in links, ident


def test_wilson_intervals_accompany_proportions_with_counts(
    reg: cartlandscape.Registry, page_text: str
) -> None:
    from cartlandscape.stats import wilson

    outcome = next(
        o
        for o in reg.outcomes
        if o.therapy == "tisagenlecleucel" and o.responders is not None and o.n is not None
    )
    ci = wilson(outcome.responders, outcome.n)  # type: ignore[arg-type]
    assert f"{ci.low:.1f}–{ci.high:.1f}%" in page_text


def test_text_from_the_data_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    cite = (Citation(source="s", locator=evil),)
    reg = cartlandscape.Registry(
        [Source(id="s", title=evil, type="review"), Target(id="t", name=evil, citations=cite)]
    )
    text = render_report(reg, charts=False)
    assert evil not in text
    assert text.count("<script>") == 1  # the page's own


def test_without_charts_the_page_says_what_they_need(reg: cartlandscape.Registry) -> None:
    text = render_report(reg, charts=False)
    assert html.escape(CHARTS_HINT) in text
    assert "<svg" not in text
    assert 'id="table-timeline"' in text


def test_the_pipeline_section_appears_when_the_data_hold_trials(page_text: str) -> None:
    if not len(getattr(cartlandscape.registry(), "trials", ())):
        pytest.skip("the data hold no trials")
    assert 'id="pipeline"' in page_text
    assert "https://clinicaltrials.gov/study/NCT" in page_text


def test_chart_labels_are_text_not_outlines(page_text: str) -> None:
    # Text kept as text halves the page and lets the labels be searched and copied.
    if not charts_available():
        pytest.skip("the charts need matplotlib")
    svgs = re.findall(r"<svg\b.*?</svg>", page_text, re.S)
    assert svgs
    assert all("<text" in svg for svg in svgs)
    assert 'id="DejaVuSans' not in page_text


def test_the_file_is_replaced_whole(reg: cartlandscape.Registry, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    write_report(reg, target, charts=False)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_the_command_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "landscape.html"
    assert main(["report", "--no-charts", "-o", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().err
    assert 'id="table-products"' in target.read_text(encoding="utf-8")
    assert main(["report", "-o", str(tmp_path / "landscape.txt")]) == 2
    assert ".html" in capsys.readouterr().err


# -- in a browser --------------------------------------------------------------------------------


def _browser() -> str | None:
    given = os.environ.get("CARTLANDSCAPE_BROWSER")
    if given:
        return given
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    executable = _browser()
    if executable is None:
        pytest.skip(f"no browser found (looked for {', '.join(BROWSERS)} on PATH)")
    with sync.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
        except Exception as exc:  # a browser that cannot start here
            pytest.skip(f"{executable} does not start: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, report: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    opened.route(
        re.compile(r"^https?://"),
        lambda route: (problems.append(f"network: {route.request.url}"), route.abort()),
    )
    opened.goto(report.as_uri())
    opened.problems = problems
    yield opened
    context.close()


def _column(page: Any, table: str, index: int) -> list[str]:
    cells = page.locator(f"#{table} tbody tr td:nth-child({index})")
    return [t.strip() for t in cells.all_inner_texts()]


def test_page_loads_in_a_browser_without_errors(
    page: Any, reg: cartlandscape.Registry, tmp_path: Path
) -> None:
    assert page.title() == "CAR-T landscape report"
    rows = page.locator("#table-products tbody tr")
    assert rows.count() == len(_approved(reg))
    if charts_available():
        assert page.locator("figure svg").count() >= 2
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert page.problems == []


def test_a_click_on_a_header_sorts_the_table(page: Any) -> None:
    before = _column(page, "table-products", 1)
    page.locator("#table-products thead th").nth(0).click()
    ascending = _column(page, "table-products", 1)
    assert ascending == sorted(before, key=str.lower)
    assert ascending != before
    page.locator("#table-products thead th").nth(0).click()
    assert _column(page, "table-products", 1) == ascending[::-1]
    header = page.locator("#table-products thead th").nth(0)
    assert header.get_attribute("aria-sort") == "descending"
    # Numbers sort as numbers: the n column of the efficacy table.
    page.locator("#table-efficacy thead th").nth(4).click()
    counts = [int(c) for c in _column(page, "table-efficacy", 5) if c]
    assert counts == sorted(counts)
    assert page.problems == []


def test_the_filter_hides_rows(page: Any) -> None:
    rows = page.locator("#table-products tbody tr")
    total = rows.count()
    page.fill("input[data-filter='table-products']", "BCMA")
    visible = page.locator("#table-products tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert all("BCMA" in text for text in visible.all_inner_texts())
    assert f"of {total} rows" in page.locator("#products .count").inner_text()
    page.fill("input[data-filter='table-products']", "")
    assert page.locator("#table-products tbody tr:not([hidden])").count() == total
    assert page.problems == []


# Where a cell's content reaches past the cell's box, and which tables are wider than the box
# that scrolls them, in the page as laid out.
_LAYOUT = """() => {
  const overflowing = [];
  document.querySelectorAll("td, th").forEach((cell) => {
    const box = cell.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(cell);
    const past = Array.from(range.getClientRects()).some(
      (r) => r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5)
    );
    if (past) {
      overflowing.push(cell.closest("table").id + " column " + (cell.cellIndex + 1) + ": "
        + cell.textContent.trim().slice(0, 60));
    }
  });
  const scrolled = Array.from(document.querySelectorAll(".scroll"))
    .filter((box) => box.scrollWidth > box.clientWidth)
    .map((box) => box.querySelector("table").id + " " + box.scrollWidth + " px in "
      + box.clientWidth + " px");
  return {
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
    overflowing: overflowing.slice(0, 10),
    scrolled: scrolled,
  };
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_page_fits_the_window(browser: Any, report: Path, width: int, height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        opened = context.new_page()
        opened.goto(report.as_uri())
        layout = opened.evaluate(_LAYOUT)
        # Nothing makes the whole page scroll sideways, and no cell's text runs out of its cell.
        assert layout["page"] <= layout["window"], layout
        assert layout["overflowing"] == []
        if width >= 1280:
            # On a desktop screen every table fits: its sources column is not cut off.
            assert layout["scrolled"] == []
        # A section reached from the navigation shows its heading below the sticky bar.
        opened.locator("nav a[href='#efficacy']").click()
        opened.wait_for_function("location.hash === '#efficacy'")
        nav = opened.locator("nav").bounding_box()
        heading = opened.locator("#efficacy h2").bounding_box()
        assert heading["y"] >= nav["y"] + nav["height"] - 1
    finally:
        context.close()
