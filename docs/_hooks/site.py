"""Build-time pages of the documentation site, generated from the code and the data folder.

mkdocs loads this file as a hook (``hooks:`` in ``mkdocs.yml``).  It adds four pages that are
never written by hand:

- ``data/dictionary.md``: the data dictionary written by ``cartlandscape.tools.datadict``
  (the generator of the one in ``seeds/README.md`` too): every field of every record class, its
  type, whether it is required, what its validator accepts and its meaning; then the
  vocabularies, the endpoints and the units.
- ``data/seeds.md``: the curators' ``seeds/README.md``, with links into the data folder turned
  into file names (the site has no copy of the data files) and its copy of the data dictionary
  replaced by a link to the generated page.
- ``data/sources.md``: every source of the bundled data, read from the registry.
- ``examples.md``: every script in ``examples/`` with its docstring and source.

The generators are plain functions so the tests can call them without mkdocs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _escape(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def dictionary_markdown() -> str:
    """The data dictionary page: the generator of ``cartlandscape.tools.datadict``, headed."""
    from cartlandscape.tools import datadict

    intro = [
        "# Data dictionary",
        "",
        "This page is generated from the record classes each time the site is built, by",
        "`cartlandscape.tools.datadict`, which also writes the dictionary in `seeds/README.md`:",
        "the fields are read with `attrs.fields`, each validator says what it accepts, and the",
        "meanings are those of `FIELD_DOCS`. A *required* field must be present; the others may",
        "be left out of a data file. A reference (an *id* of a kind) must resolve when the",
        "registry is built.",
        "",
    ]
    return "\n".join(intro) + "\n" + datadict.markdown(level=2)


_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://|#)([^)]+)\)")


def seeds_markdown() -> str:
    """The curators' ``seeds/README.md``; links into the data folder become file names."""
    path = ROOT / "seeds" / "README.md"
    if not path.is_file():
        return (
            "# Curators' notes\n\nThe data folder has no README yet; see "
            "[Sources and provenance](index.md).\n"
        )
    from cartlandscape.tools.datadict import END, START

    head, start, rest = path.read_text(encoding="utf-8").partition(START)
    text = _LINK.sub(lambda m: f"{m.group(1)} (`seeds/{m.group(2)}`)", head)
    if start:
        tail = _LINK.sub(lambda m: f"{m.group(1)} (`seeds/{m.group(2)}`)", rest.partition(END)[2])
        text += "See the generated [data dictionary](dictionary.md).\n" + tail
    return text


def sources_markdown() -> str:
    """The list of the sources the bundled data cite, with how many records cite each."""
    from collections import Counter

    import cartlandscape

    reg = cartlandscape.registry()
    cited = Counter(c.source for record in reg.records() for c in getattr(record, "citations", ()))
    cited.update(
        c.source for therapy in reg.therapies for m in therapy.milestones for c in m.citations
    )
    lines = [
        "# Source list",
        "",
        f"The {len(reg.sources)} sources of the bundled data (release {reg.version}),",
        "generated from the data when this site is built. *Cited by* counts the records and",
        "milestones that cite each source.",
        "",
        "| id | title | type | publisher | date | link | cited by |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for source in sorted(reg.sources, key=lambda s: s.id):
        link = source.url or (f"https://doi.org/{source.doi}" if source.doi else None)
        row = [
            f"`{source.id}`",
            source.title,
            source.type.value,
            source.publisher or "",
            str(source.published or ""),
            f"<{link}>" if link else "",
            str(cited[source.id]),
        ]
        lines.append("| " + " | ".join(_escape(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def example_scripts() -> list[Path]:
    """The example scripts, in name order."""
    return sorted((ROOT / "examples").glob("*.py"))


def examples_markdown() -> str:
    """The examples page: each script's docstring and source."""
    lines = [
        "# Examples",
        "",
        "Each script in the `examples/` folder of the repository runs as part of the test",
        "suite (in a fresh working folder, where it writes any files it makes). Run one with",
        "`python examples/<name>.py`.",
        "",
    ]
    for path in example_scripts():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        doc = ast.get_docstring(tree) or ""
        title, _, rest = doc.partition("\n")
        body = source
        if doc:  # the docstring is shown as text above the code
            body = "\n".join(source.splitlines()[tree.body[0].end_lineno or 0 :]).strip()
        lines += [f"## {path.name}", "", title, "", rest.strip(), ""]
        lines += ["```python", body, "```", ""]
    own = ROOT / "examples" / "own_data"
    if own.is_dir():
        lines += [
            "## own_data/",
            "",
            "Data files used by the examples on loading your own data:",
            "",
        ]
        for item in sorted(p for p in own.rglob("*") if p.is_file()):
            lang = {"toml": "toml", "json": "json"}.get(item.suffix.lstrip("."), "text")
            rel = item.relative_to(ROOT).as_posix()
            lines += [f"`{rel}`", "", f"```{lang}", item.read_text(encoding="utf-8").rstrip()]
            lines += ["```", ""]
    return "\n".join(lines) + "\n"


#: Generated pages: the path in the site and the function that writes it.
GENERATED = {
    "data/dictionary.md": dictionary_markdown,
    "data/seeds.md": seeds_markdown,
    "data/sources.md": sources_markdown,
    "examples.md": examples_markdown,
}


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site (an mkdocs event)."""
    from mkdocs.structure.files import File

    for path, make in GENERATED.items():
        files.append(File.generated(config, path, content=make()))
    return files
