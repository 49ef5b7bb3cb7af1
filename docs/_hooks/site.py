"""Build-time pages of the documentation site, generated from the code and the data folder.

mkdocs loads this file as a hook (``hooks:`` in ``mkdocs.yml``).  It adds four pages that are
never written by hand:

- ``data/dictionary.md``: every field of every record class, read from ``attrs.fields``: its
  type, whether it is required, what its validator accepts (asked of the validator itself),
  the kind of record it refers to and its meaning (``cartlandscape.tools.datadict.FIELD_DOCS``);
  then the vocabularies, the endpoints and the units, read from the enumerations and ``units.txt``.
- ``data/seeds.md``: the curators' ``seeds/README.md``, with links into the data folder turned
  into file names (the site has no copy of the data files) and its copy of the data dictionary
  replaced by a link to the generated page.
- ``data/sources.md``: every source of the bundled data, read from the registry.
- ``examples.md``: every script in ``examples/`` with its docstring and source.

The generators are plain functions so the tests can call them without mkdocs.
"""

from __future__ import annotations

import ast
import enum
import html
import re
import typing
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[2]


class _Probe:
    """A value no validator accepts, so that the validator says what it expects."""

    def __repr__(self) -> str:
        return "<probe>"


def _escape(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inline code that may hold ``|`` inside a table cell."""
    return "<code>" + html.escape(text).replace("|", "&#124;") + "</code>"


def record_classes() -> list[type]:
    """The record classes, top-level kinds first, then the classes nested inside them."""
    from cartlandscape.kinds import BASE_KINDS

    found: list[type] = []
    todo = [cls for cls, _ in BASE_KINDS.values()]
    while todo:
        cls = todo.pop(0)
        if cls in found:
            continue
        found.append(cls)
        for hint in typing.get_type_hints(cls).values():
            for inner in _leaf_types(hint):
                if attrs.has(inner) and not _written_as_text(inner) and inner not in found:
                    todo.append(inner)
    return found


def _written_as_text(cls: type) -> bool:
    """Whether data files write *cls* as one text (a date, a value, a ``kind:id`` reference)."""
    from cartlandscape.dates import PartialDate
    from cartlandscape.models import Ref
    from cartlandscape.values import Value

    return issubclass(cls, PartialDate | Ref | Value)


def _leaf_types(hint: Any) -> list[type]:
    args = typing.get_args(hint)
    if not args:
        return [hint] if isinstance(hint, type) else []
    return [leaf for arg in args if arg is not Ellipsis for leaf in _leaf_types(arg)]


def expects(field: attrs.Attribute[Any]) -> str:
    """What *field*'s validator accepts, in the validator's own words.

    The validator is called with a value it cannot accept, and the message of the error it
    raises is returned; for a value field, the dimensions it accepts are added.
    """
    from cartlandscape.errors import FieldError

    if field.validator is None:
        return "checked when the record is built"
    try:
        field.validator(None, field, _Probe())
    except FieldError as exc:
        said = exc.expected
    except TypeError:
        said = f"a {getattr(field.type, '__name__', field.type)}"
    else:  # pragma: no cover - every validator refuses the probe
        return "anything"
    if said.startswith("a value"):
        dims = accepted_dimensions(field)
        said += "; dimension: " + (", ".join(dims) if dims else "any")
    return said


def accepted_dimensions(field: attrs.Attribute[Any]) -> list[str]:
    """The named dimensions a value field accepts; empty if it accepts every one."""
    from cartlandscape.errors import FieldError
    from cartlandscape.values import Exact

    samples = {
        "proportion": "percent",
        "time": "month",
        "count": "patient",
        "dose": "cell / kilogram",
        "money": "CNY",
    }
    accepted = []
    for name, unit in samples.items():
        try:
            assert field.validator is not None
            field.validator(None, field, Exact(1, unit))
        except FieldError:
            continue
        accepted.append(name)
    return [] if len(accepted) == len(samples) else accepted


def _default(field: attrs.Attribute[Any]) -> str:
    if field.default is attrs.NOTHING:
        return "**required**"
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return "optional"
    if default is None:
        return "optional"
    if default == ():
        return "optional (empty list)"
    if isinstance(default, enum.Enum):
        return f"optional (default `{default.value}`)"
    return f"optional (default `{default!r}`)"


def _summary(cls: type) -> str:
    doc = (cls.__doc__ or "").strip()
    return doc.split("\n\n", 1)[0].replace("\n", " ")


def dictionary_markdown() -> str:
    """The data dictionary page, in Markdown."""
    from cartlandscape.kinds import BASE_KINDS
    from cartlandscape.tools.datadict import FIELD_DOCS

    tag_of = {cls: tag for tag, (cls, _) in BASE_KINDS.items()}
    lines = [
        "# Data dictionary",
        "",
        "This page is generated from the record classes each time the site is built: the",
        "fields are read with `attrs.fields`, each validator is asked what it accepts, and the",
        "meanings come from `cartlandscape.tools.datadict` (which also writes the dictionary in",
        "`seeds/README.md`). A *required* field must be present; the others may be left out of",
        "a data file. A *reference* holds the id of a record of the kind named and must resolve",
        "when the registry is built.",
        "",
    ]
    for cls in record_classes():
        name = cls.__name__
        lines += [f"## {name}", "", _summary(cls), ""]
        if cls in tag_of:
            lines += [f"Data files hold these records as `[[{tag_of[cls]}]]` tables.", ""]
        else:
            lines += ["Written inside the records that hold it.", ""]
        lines += [
            "| field | type | required | accepts | reference | meaning |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for field in attrs.fields(cls):
            ref = field.metadata.get("ref")
            ref_text = "any kind (`kind:id`)" if ref == "*" else (f"{ref} id" if ref else "")
            meaning = FIELD_DOCS.get(f"{name}.{field.name}", FIELD_DOCS.get(field.name, ""))
            row = [
                f"`{field.name}`",
                _code(str(field.type)),
                _default(field),
                expects(field),
                ref_text,
                meaning,
            ]
            lines.append("| " + " | ".join(_escape(cell) for cell in row) + " |")
        lines.append("")
    lines += vocabulary_markdown() + endpoints_markdown() + units_markdown()
    return "\n".join(lines) + "\n"


def vocabulary_markdown() -> list[str]:
    """A section listing every controlled vocabulary and its values."""
    from cartlandscape import vocabulary

    lines = ["## Vocabularies", "", "The values the enumerated fields accept.", ""]
    lines += ["| vocabulary | meaning | values |", "| --- | --- | --- |"]
    for name in vocabulary.__all__:
        item = getattr(vocabulary, name)
        if isinstance(item, type) and issubclass(item, enum.Enum):
            values = ", ".join(f"`{m.value}`" for m in item)
            lines.append(f"| `{name}` | {_escape(_summary(item))} | {values} |")
    return [*lines, ""]


def endpoints_markdown() -> list[str]:
    """A section listing the endpoints with what each requires of an outcome."""
    from cartlandscape.units import DIMENSIONS
    from cartlandscape.vocabulary import Endpoint

    lines = [
        "## Endpoints",
        "",
        "An outcome's `value` must have its endpoint's dimension; some endpoints also need a",
        "`timepoint` or a `grading_scale`.",
        "",
        "| endpoint | label | dimension | needs a time point | needs a grading scale |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in Endpoint:
        lines.append(
            f"| `{e.value}` | {_escape(e.label)} | {e.dimension} (`{DIMENSIONS[e.dimension]}`) "
            f"| {'yes' if e.needs_timepoint else ''} | {'yes' if e.needs_grading else ''} |"
        )
    return [*lines, ""]


def units_markdown() -> list[str]:
    """A section listing the units of ``units.txt`` with their dimensionality."""
    from importlib.resources import files

    from cartlandscape import units

    text = (files("cartlandscape") / "units.txt").read_text(encoding="utf-8")
    lines = [
        "## Units",
        "",
        "The units cartlandscape defines (`units.txt`); plural forms and prefixes (`kilogram`)",
        "are understood too.",
        "",
        "| unit | other names | dimensionality |",
        "| --- | --- | --- |",
    ]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.split("=", 1)[0].strip().endswith("-"):
            continue
        parts = [p.strip() for p in line.split("=")]
        name, others = parts[0], [p for p in parts[2:] if p != "_"]
        names = ", ".join(f"`{o}`" for o in others)
        lines.append(f"| `{name}` | {names} | `{units.dimension_of(name)}` |")
    return [*lines, ""]


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
