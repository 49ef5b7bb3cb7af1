from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from cartlandscape.compare import ComparisonError, compare, rank
from cartlandscape.plots import PLOT_HINT, forest_plot, timeline_plot

from .builders import approvals_landscape, landscape, outcome

matplotlib = pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _svg_text(draw: Any, path: Path) -> str:
    """Draw into an SVG with text kept as text, and return the file's content."""
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        draw(path)
    return path.read_text(encoding="utf-8")


def _forest_landscape() -> Any:
    return landscape(
        outcome("a", "a-cel", value="80 percent", n=50, indication="mm"),
        outcome("b", "b-cel", value="62 to 70 percent", indication="mm"),
        outcome("c", "c-cel", value="45 percent", n=20, indication="mm"),
    )


def test_forest_plot_writes_a_png(tmp_path: Path) -> None:
    """A forest plot of a comparison is saved as a PNG file."""
    reg = _forest_landscape()
    written = forest_plot(
        compare(reg, ["a-cel", "b-cel", "c-cel"], endpoint="orr"), tmp_path / "f.png"
    )
    assert written == tmp_path / "f.png"
    assert written.read_bytes().startswith(PNG_SIGNATURE)


def test_forest_plot_labels_axes_units_title_sources_and_pooled(tmp_path: Path) -> None:
    """The SVG has the endpoint and unit on the axis, a title, the sources, intervals and the
    pooled estimate."""
    table = rank(_forest_landscape(), endpoint="orr", indication="mm")
    text = _svg_text(lambda p: forest_plot(table, p, method="clopper-pearson"), tmp_path / "f.svg")
    assert "ORR (percent)" in text
    assert "ORR in Myeloma" in text  # the indication's name, not its id
    assert "Sources: src (table 2)" in text
    assert "Clopper-Pearson exact" in text
    assert "Pooled (random effects)" in text
    assert "62–70 percent" in text  # the range without n is drawn as reported


def test_pooled_is_left_out_with_a_reason_or_refused(tmp_path: Path) -> None:
    """Mismatched rows get no pooled diamond (the footnote says why), or an error if required."""
    reg = landscape(
        outcome("a", "a-cel", value="80 percent", n=50, indication="mm"),
        outcome("b", "b-cel", value="60 percent", n=30, indication="all"),
    )
    result = compare(reg, ["a-cel", "b-cel"], endpoint="orr", allow_mismatch=True)
    text = _svg_text(lambda p: forest_plot(result, p), tmp_path / "f.svg")
    assert "Pooled (random effects)" not in text
    assert "Compared despite: indications differ" in text
    assert "No pooled estimate" in text
    cr = outcome("c", "a-cel", endpoint="cr", n=10, responders=5)
    orr = outcome("d", "b-cel", value="70 percent", n=10, responders=7)
    mixed = compare(landscape(cr, orr), [cr, orr], endpoint="orr", allow_mismatch=True)
    with pytest.raises(ComparisonError, match="endpoints differ"):
        forest_plot(mixed, tmp_path / "g.png", pooled=True)


def test_timeline_lists_undated_approvals_and_sources(tmp_path: Path) -> None:
    """The timeline labels its axes, draws each agency's lane and lists undated approvals."""
    text = _svg_text(lambda p: timeline_plot(approvals_landscape(), p), tmp_path / "t.svg")
    assert "date of approval (year)" in text
    assert "NMPA" in text
    assert "FDA" in text
    assert "Cilta" in text
    assert "Undated approvals (not drawn): Nk-X (NMPA, B-ALL)" in text
    assert "Sources: src (table 2)" in text


def test_bad_suffix_and_empty_results_are_refused(tmp_path: Path) -> None:
    """Only .png and .svg are written; a result without rows has nothing to plot."""
    reg = _forest_landscape()
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        timeline_plot(reg, tmp_path / "t.pdf")
    with pytest.raises(ValueError, match="no rows"):
        forest_plot(rank(reg, endpoint="cr"), tmp_path / "f.png")


def test_missing_matplotlib_gives_an_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without matplotlib, plotting raises ImportError naming the extra to install."""
    real = importlib.import_module

    def without_matplotlib(name: str, *args: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_matplotlib)
    with pytest.raises(ImportError, match=r"cartlandscape\[plot\]") as info:
        timeline_plot(approvals_landscape(), tmp_path / "t.png")
    assert str(info.value) == PLOT_HINT
