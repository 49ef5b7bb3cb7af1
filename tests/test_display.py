"""How records and results show themselves: short reprs, readable text, escaped HTML."""

from __future__ import annotations

import html.parser

import attrs
import pytest

import cartlandscape
from cartlandscape.compare import compare, rank
from cartlandscape.kinds import register_kind, unregister_kind
from cartlandscape.models import Citation, Outcome, Source, Study, Target, Therapy
from cartlandscape.pooling import pool
from cartlandscape.summary import summarize

EVIL = "<script>alert('x')</script>"
CITE = (Citation(source="src", locator="Table <2>"),)


@pytest.fixture(scope="module")
def reg() -> cartlandscape.Registry:
    return cartlandscape.registry()


class _Checker(html.parser.HTMLParser):
    """Collects the tags of an HTML fragment and checks that they nest."""

    VOID = frozenset({"br"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.extend(v or "" for k, v in attrs_ if k == "href")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, tag
        assert self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


def parse(fragment: str) -> _Checker:
    checker = _Checker()
    checker.feed(fragment)
    checker.close()
    assert checker.stack == []
    assert "script" not in checker.tags
    return checker


def _results(reg: cartlandscape.Registry) -> list[object]:
    return [
        compare(reg, ["Kymriah", "Yescarta"], endpoint="orr", allow_mismatch=True),
        rank(reg, endpoint="orr", allow_mismatch=True),
        summarize(reg),
        reg.therapies,
        reg,
    ]


def test_every_record_has_a_short_repr_and_readable_text(reg: cartlandscape.Registry) -> None:
    for record in reg.records():
        shown = repr(record)
        assert "\n" not in shown
        assert len(shown) < 140, shown
        assert shown.startswith(f"<{type(record).__name__} {record.id!r}")
        text = str(record)
        assert text != shown
        assert record.id in text.splitlines()[0]


def test_therapy_repr_is_one_line_with_class_id_and_name(reg: cartlandscape.Registry) -> None:
    assert repr(reg.lookup("Kymriah")) == "<Therapy 'tisagenlecleucel': Tisagenlecleucel>"


def test_results_have_short_reprs_and_text_of_their_own(reg: cartlandscape.Registry) -> None:
    for result in _results(reg):
        shown = repr(result)
        assert "\n" not in shown
        assert len(shown) < 200, shown
        assert str(result) != shown
    summary = summarize(reg)
    assert "Approved products" in str(summary)
    assert len(repr(summary)) < 100


def test_record_html_shows_every_field_and_the_citations(reg: cartlandscape.Registry) -> None:
    therapy = reg.lookup("Kymriah")
    page = therapy._repr_html_()
    parse(page)
    for name in ("inn", "milestones", "citations", "construct"):
        assert f">{name}<" in page
    for citation in therapy.citations:
        assert citation.source in page
    # Alone, a record knows source ids only; through the registry they become links.
    assert "<a " not in page
    linked = parse(reg.display(therapy)._repr_html_())
    addresses = {reg.sources[c.source].url for c in therapy.citations}
    assert addresses & set(linked.links)
    assert str(reg.display(therapy)) == str(therapy)


def test_html_escapes_every_text() -> None:
    target = Target(id="t", name=EVIL, aliases=(EVIL,), description=EVIL, citations=CITE)
    page = target._repr_html_()
    parse(page)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "Table &lt;2&gt;" in page
    source = Source(
        id="src", title=EVIL, type="journal-article", url="https://example.org/?a=1&b=<2>"
    )
    linked = parse(cartlandscape.Registry([target, source]).display(target)._repr_html_())
    assert linked.links == ["https://example.org/?a=1&b=<2>"]


def test_results_show_as_html_tables(reg: cartlandscape.Registry) -> None:
    for result in _results(reg):
        page = result._repr_html_()  # type: ignore[attr-defined]
        assert "<table" in page
        parse(page)
    comparison = compare(reg, ["Kymriah", "Yescarta"], endpoint="orr", allow_mismatch=True)
    page = comparison._repr_html_()
    for row in comparison.rows:
        assert row.id in page
    linked = parse(reg.display(comparison)._repr_html_())
    assert linked.links


def test_summary_links_the_timeline_to_its_sources(reg: cartlandscape.Registry) -> None:
    summary = summarize(reg)
    checker = parse(summary._repr_html_())
    cited = {c.source for entry in summary.timeline for c in entry.citations}
    expected = {
        reg.sources[s].url or f"https://doi.org/{reg.sources[s].doi}"
        for s in cited
        if reg.sources[s].url or reg.sources[s].doi
    }
    assert expected <= set(checker.links)


def test_pooled_estimate_shows_its_studies(reg: cartlandscape.Registry) -> None:
    a = Outcome(
        id="a",
        therapy="x",
        endpoint="orr",
        value="50 percent",
        n=20,
        responders=10,
        study=Study(name="A"),
        citations=CITE,
    )
    b = attrs.evolve(
        a, id="b", study=attrs.evolve(a.study, name="B"), responders=12, value="60 percent"
    )
    pooled = pool([a, b])
    assert repr(pooled).startswith("<PooledEstimate of ORR")
    page = pooled._repr_html_()
    parse(page)
    assert "10/20" in page
    assert "12/20" in page


def test_a_downstream_kind_gets_the_short_repr_and_html() -> None:
    @attrs.frozen(kw_only=True)
    class Device(Therapy):
        note: str | None = None

    register_kind("device", Device)
    try:
        device = Device(id="d", name="A device", note=EVIL, citations=CITE)
        assert repr(device) == "<Device 'd': A device>"
        assert "&lt;script&gt;" in device._repr_html_()
        assert "note: " + EVIL in str(device)
    finally:
        unregister_kind("device")


def test_a_class_that_writes_its_own_repr_keeps_it() -> None:
    @attrs.frozen(kw_only=True)
    class Own(Therapy):
        def __repr__(self) -> str:
            return "own"

    assert repr(Own(id="o", name="O", citations=CITE)) == "own"
